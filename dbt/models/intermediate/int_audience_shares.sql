{{
    config(
        materialized=upsert_materialization(),
        unique_key=['account_key', 'observed_date'],
        incremental_strategy=upsert_strategy(),
        on_schema_change='fail',
        meta={'tested_date_column': 'observed_date'},
    )
}}

-- One row per authorized account, observed date, audience dimension and bucket: the bucket's
-- value as the platform gave it (the latest extraction of the date wins) and its share of the
-- dimension. A count (followers, views) is divided by the dimension's total that day; a
-- percentage (viewer_percent) is divided by 100. YouTube's combined age_gender buckets also
-- give the age and gender rows (their sums) when the platform did not land those on their own.

with

landed as (

    {{ union_platforms('audience_demographics', [
        'account_key', 'account_id', 'platform', 'dimension', 'bucket', 'unit', 'value',
        'observed_date', 'extracted_at',
    ], platforms=['instagram', 'youtube'],
       where=since_incremental_cutoff('observed_date', 'observed_date', keyword='')) }}

),

latest as (

    select * from landed
    qualify row_number() over (
        partition by account_key, observed_date, dimension, bucket
        order by extracted_at desc, value desc nulls last
    ) = 1

),

marginal_dimensions as (

    select 'age' as dimension
    union all
    select 'gender' as dimension

),

landed_dimensions as (

    select distinct account_key, observed_date, dimension from latest

),

from_age_gender as (

    select
        latest.account_key,
        latest.account_id,
        latest.platform,
        parts.dimension,
        case parts.dimension
            when 'age' then split_part(latest.bucket, '|', 1)
            else split_part(latest.bucket, '|', 2)
        end as bucket,
        latest.unit,
        sum(latest.value) as value,
        latest.observed_date,
        max(latest.extracted_at) as extracted_at
    from latest
    cross join marginal_dimensions as parts
    left join landed_dimensions
        on
            latest.account_key = landed_dimensions.account_key
            and latest.observed_date = landed_dimensions.observed_date
            and parts.dimension = landed_dimensions.dimension
    where latest.dimension = 'age_gender' and landed_dimensions.dimension is null
    group by 1, 2, 3, 4, 5, 6, 8

),

buckets as (

    select * from latest
    union all
    select * from from_age_gender

)

select
    account_key,
    platform,
    account_id,
    observed_date,
    dimension,
    bucket,
    value,
    unit,
    case
        when unit = 'viewer_percent' then value / 100
        else {{ safe_divide(
            'value', 'sum(value) over (partition by account_key, observed_date, dimension)') }}
    end as share,
    extracted_at
from buckets
{{ cluster_by('observed_date') }}
