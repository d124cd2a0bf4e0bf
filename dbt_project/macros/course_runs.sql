{#-
  The course run a fact row names by its platform and readable id, as dim_course_run's key.
  MicroMasters names a run by its edX course key: the edX.org run of that key when there is
  one, else the MITx Online run (its courses moved there). ``run_joins(relation)`` adds the
  joins to the current rows of dim_course_run, which the model selects as ``course_runs``;
  ``run_fk()`` is the key they resolve to.
-#}
{% macro run_joins(relation) -%}
left join course_runs as own_run
    on {{ relation }}.platform_readable_id = own_run.platform_readable_id
    and {{ relation }}.courserun_readable_id = own_run.courserun_readable_id
left join course_runs as edxorg_run
    on {{ relation }}.platform_readable_id = 'micromasters'
    and edxorg_run.platform_readable_id = 'edxorg'
    and {{ relation }}.courserun_readable_id = edxorg_run.courserun_readable_id
left join course_runs as mitxonline_run
    on {{ relation }}.platform_readable_id = 'micromasters'
    and mitxonline_run.platform_readable_id = 'mitxonline'
    and {{ relation }}.courserun_readable_id = mitxonline_run.courserun_readable_id
{%- endmacro %}

{% macro run_fk() -%}
coalesce(own_run.courserun_pk, edxorg_run.courserun_pk, mitxonline_run.courserun_pk)
{%- endmacro %}
