{#-
  The project's data-test materialisation for DuckDB (issue 13): the test query alone.

  dbt's runs it inside a transaction it opened for it: BEGIN, the query, and a ROLLBACK when
  the connection is released — three adapter calls (each with dbt's event and logging work)
  for one read-only query, 108 times a build. DuckDB runs a lone SELECT in its own
  transaction anyway, so the query is sent without BEGIN (auto_begin=False) and nothing is
  left open to roll back. Storing failures (`--store-failures`, `store_failures`) writes
  a relation: that case is left to dbt's own materialisation.
-#}

{% materialization test, adapter='duckdb' %}
    {%- if should_store_failures() -%}
        {{ return(dbt.materialization_test_default()) }}
    {%- endif -%}
    {%- set sql_header = config.get('sql_header') if flags.REQUIRE_SQL_HEADER_IN_TEST_CONFIGS else none -%}
    {%- set sql_with_limit -%}
        {{ get_limit_subquery_sql(sql, config.get('limit')) }}
    {%- endset -%}
    {%- call statement('main', fetch_result=True, auto_begin=False) -%}
        {% if sql_header %}{{ sql_header }}{% endif %}
        {{ get_test_sql(sql_with_limit, config.get('fail_calc'), config.get('warn_if'), config.get('error_if'), limit=none) }}
    {%- endcall -%}
    {{ return({'relations': []}) }}
{% endmaterialization %}
