"""Seed the product catalogue and the default suggestion rules (growth/catalogue.py)."""

from decimal import Decimal
from typing import Any

from django.db import migrations


def seed(apps: Any, schema_editor: Any) -> None:
    from clientdesk.growth.catalogue import CATALOGUE, DEFAULT_RULES

    product_model = apps.get_model("growth", "Product")
    rule_model = apps.get_model("growth", "SuggestionRule")
    products = {}
    for code, name, family, basis, price, contract_code, description in CATALOGUE:
        products[code], _ = product_model.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "family": family,
                "basis": basis,
                "list_price": Decimal(price),
                "contract_code": contract_code,
                "description": description,
            },
        )
    for name, measure, comparison, threshold, product, rationale in DEFAULT_RULES:
        rule_model.objects.get_or_create(
            name=name,
            defaults={
                "measure": measure,
                "comparison": comparison,
                "threshold": threshold,
                "product": products[product],
                "rationale": rationale,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("growth", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
