{#-
  Materialization for the DuckDB target: compute the model in the in-memory DuckDB, then
  commit its rows to the Iceberg table <schema>.<model> through the `lake` plugin
  (olp_dbt/lake_plugin.py), in one transaction. Downstream models, in this process or any
  other, read it back from the lake.
-#}
{% materialization iceberg_table, adapter="duckdb" %}
  {%- set target_relation = this.incorporate(type="table") -%}
  {%- set existing_relation = load_cached_relation(this) -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  {{ drop_relation_if_exists(existing_relation) }}
  {% call statement("main") -%}
    {{ create_table_as(False, target_relation, compiled_code) }}
  {%- endcall %}
  {{ adapter.commit() }}
  {% do adapter.store_relation("lake", target_relation, [], none, "iceberg", config) %}
  {{ run_hooks(post_hooks, inside_transaction=False) }}

  {{ return({"relations": [target_relation]}) }}
{% endmaterialization %}
