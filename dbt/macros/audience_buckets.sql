{#- Audience buckets in the warehouse's words (staging of audience_demographics): ages as
    ranges ("18-24", "65+"), gender as female, male or unknown. -#}

{#- YouTube Analytics' ageGroup: "age18-24" is "18-24", "age65-" is "65+". -#}
{% macro youtube_age_bucket(bucket) -%}
    case when {{ bucket }} = 'age65-' then '65+' else replace({{ bucket }}, 'age', '') end
{%- endmacro %}

{#- YouTube Analytics' gender: user_specified (neither female nor male) is unknown. -#}
{% macro youtube_gender_bucket(bucket) -%}
    case when {{ bucket }} = 'user_specified' then 'unknown' else {{ bucket }} end
{%- endmacro %}
