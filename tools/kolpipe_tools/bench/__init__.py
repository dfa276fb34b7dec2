"""The benchmark behind `make bench`: a year of landed history for 10,000 accounts generated in
bulk, then the warehouse, extraction and DAG-parse figures measured against their floors."""
