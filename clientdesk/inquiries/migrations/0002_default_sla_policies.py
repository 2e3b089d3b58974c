"""The starting SLA policies (business hours). Managers change them on the SLA policies page."""

from decimal import Decimal

from django.db import migrations

DEFAULTS = [
    # name, tier, category, priority, first response h, resolution h
    ("Standard", "", "", "", "8", "40"),
    ("Low priority", "", "", "low", "16", "80"),
    ("High priority", "", "", "high", "4", "16"),
    ("Urgent", "", "", "urgent", "1", "8"),
    ("Key account", "key", "", "", "4", "24"),
    ("Key account, urgent", "key", "", "urgent", "0.5", "4"),
]


def create(apps, schema_editor):
    SlaPolicy = apps.get_model("inquiries", "SlaPolicy")
    for name, tier, category, priority, first, resolution in DEFAULTS:
        SlaPolicy.objects.get_or_create(
            tier=tier,
            category=category,
            priority=priority,
            is_active=True,
            defaults={
                "name": name,
                "first_response_hours": Decimal(first),
                "resolution_hours": Decimal(resolution),
            },
        )


def remove(apps, schema_editor):
    SlaPolicy = apps.get_model("inquiries", "SlaPolicy")
    for name, tier, category, priority, _first, _resolution in DEFAULTS:
        SlaPolicy.objects.filter(name=name, tier=tier, category=category, priority=priority).delete()


class Migration(migrations.Migration):
    dependencies = [("inquiries", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
