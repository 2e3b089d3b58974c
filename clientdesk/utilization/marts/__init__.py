"""Utilization and cost marts, in the Tuva Project's layers, as Ibis table -> table functions.

    staging       stg_*  the lake's input layer, final action only, typed and cleaned
    intermediate  int_*  service categories, member months, enrolled lines, inpatient stays
    marts         mart_* member months, spend by service category, pharmacy, claimants,
                         diagnoses and chronic conditions, at a grain the report rolls up

Every function states its grain and columns; `tests/test_grain.py` checks each grain is
unique. The functions run unchanged on DuckDB and Spark (`tests/test_parity.py`).
"""
