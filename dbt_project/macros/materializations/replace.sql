{#-
  The project's `table` and `view` materialisations for DuckDB (issue 13): the same
  relation, columns and comments as dbt-duckdb's, in fewer adapter calls.

  The built-in ones create `<model>__dbt_tmp`, list its indexes, rename the old relation
  to `__dbt_backup` and the new one into place, comment the relation, describe it twice
  (persist_docs and the column-comment macro each list the columns), comment the columns,
  commit and drop the backup: ~9 statements per model, each a round trip through dbt's
  connection, event and logging machinery, ~64 times a build. Here one statement creates
  or replaces the relation and comments it, one describe lists its columns (a documented
  column the model lacks is skipped, as dbt does) and one statement comments them all,
  inside one transaction: the old relation stays until the new one is committed, so a
  failing model leaves the last good one in place, as before.

  DuckDB does not bind views to the tables they read, so replacing a table in place
  leaves the views over it working (they read the new table); the rename dance exists for
  databases that do. A model with what the project does not use — an enforced contract,
  Python, partitioning or sorting, indexes, a DuckLake catalog — is left to dbt-duckdb's
  own materialisation (views: dbt's).
-#}

{% materialization table, adapter='duckdb', supported_languages=['sql', 'python'] %}
    {%- if not xuncha_plain_model() -%}
        {{ return(dbt.materialization_table_duckdb()) }}
    {%- endif -%}
    {%- set target_relation = this.incorporate(type='table') -%}
    {{ xuncha_replace_relation(target_relation, 'table') }}
    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}

{% materialization view, adapter='duckdb' %}
    {%- if not xuncha_plain_model() -%}
        {{ return(dbt.materialization_view_default()) }}
    {%- endif -%}
    {%- set target_relation = this.incorporate(type='view') -%}
    {{ xuncha_replace_relation(target_relation, 'view') }}
    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}

{#- What the short path builds: a SQL model with none of the options it does not handle
    (the project uses none of them); any other model takes dbt-duckdb's own path. -#}
{% macro xuncha_plain_model() %}
    {{ return(model['language'] == 'sql' and not config.get('contract').enforced
        and not config.get('partitioned_by') and not config.get('sorted_by')
        and not config.get('indexes')
        and not adapter.use_ducklake_table_workarounds(this)) }}
{% endmacro %}

{% macro xuncha_replace_relation(target_relation, kind) %}
    {%- set existing_relation = load_cached_relation(this) -%}
    {%- set grant_config = config.get('grants') -%}
    {%- set sql_header = config.get('sql_header', none) -%}

    {#- Leftovers of a build by the built-in materialisation that died half way: a stale
        `fct_x__dbt_tmp` would otherwise stay in the warehouse (and be published). -#}
    {%- for leftover in [make_intermediate_relation(target_relation), make_backup_relation(target_relation, kind)] -%}
        {{ drop_relation_if_exists(load_cached_relation(leftover)) }}
    {%- endfor %}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {#- `create or replace` cannot replace a relation of the other kind. -#}
    {%- if existing_relation is not none and existing_relation.type != kind -%}
        {{ drop_relation_if_exists(existing_relation) }}
    {%- endif -%}

    {%- call statement('main') -%}
        {{ sql_header if sql_header is not none }}
        create or replace {{ kind }} {{ target_relation }} as (
            {{ compiled_code }}
        );
        {% if config.persist_relation_docs() and model.description -%}
            {{ alter_relation_comment(target_relation, model.description) }}
        {%- endif %}
    {%- endcall -%}

    {%- if config.persist_column_docs() and model.columns -%}
        {#- dbt-duckdb's alter_column_comment: one describe, one comment per existing
            documented column; all run as one statement. -#}
        {%- set column_comments = alter_column_comment(target_relation, model.columns) -%}
        {%- if column_comments | trim | length > 0 -%}
            {%- do run_query(column_comments) -%}
        {%- endif -%}
    {%- endif -%}

    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {%- set should_revoke = should_revoke(existing_relation, full_refresh_mode=True) -%}
    {%- do apply_grants(target_relation, grant_config, should_revoke=should_revoke) -%}

    {{ adapter.commit() }}

    {{ run_hooks(post_hooks, inside_transaction=False) }}
{% endmacro %}
