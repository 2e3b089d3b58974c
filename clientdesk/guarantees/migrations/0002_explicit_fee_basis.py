"""A "% of fees" guarantee states which fees: admin fees (ASO) or premium (fully insured).

Before, `pct_of_fees` meant admin fees on a contract with an admin fee PEPM and premium on
one without; existing guarantees get the basis that rule gave them, so no amount changes.
"""

from django.db import migrations, models


def state_the_basis(apps, schema_editor):  # type: ignore[no-untyped-def]
    Guarantee = apps.get_model("guarantees", "Guarantee")
    old = Guarantee.objects.filter(at_risk_basis="pct_of_fees")
    old.filter(contract__admin_fee_pepm__isnull=False).update(at_risk_basis="pct_of_admin_fees")
    old.filter(contract__admin_fee_pepm__isnull=True).update(at_risk_basis="pct_of_premium")


def back_to_pct_of_fees(apps, schema_editor):  # type: ignore[no-untyped-def]
    Guarantee = apps.get_model("guarantees", "Guarantee")
    Guarantee.objects.filter(at_risk_basis__in=["pct_of_admin_fees", "pct_of_premium"]).update(
        at_risk_basis="pct_of_fees"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("guarantees", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="guarantee",
            name="at_risk_basis",
            field=models.CharField(
                choices=[
                    ("fixed", "Fixed amount ($)"),
                    ("pct_of_admin_fees", "% of admin fees (admin fee PEPM × employees)"),
                    ("pct_of_premium", "% of premium (premium PMPM × members)"),
                    ("pepm", "PEPM × employees ($ per employee per month)"),
                ],
                max_length=20,
            ),
        ),
        migrations.RunPython(state_the_basis, back_to_pct_of_fees),
    ]
