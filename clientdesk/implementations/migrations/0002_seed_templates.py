"""Seed the template library (library.py) so every database starts with it."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def seed(apps: Any, schema_editor: Any) -> None:
    from clientdesk.implementations.library import TEMPLATES

    template_model = apps.get_model("implementations", "Template")
    task_model = apps.get_model("implementations", "TemplateTask")
    for seed_ in TEMPLATES:
        if template_model.objects.filter(code=seed_.code).exists():
            continue
        template = template_model.objects.create(
            code=seed_.code,
            name=seed_.name,
            kind=str(seed_.kind),
            description=seed_.description,
            source=seed_.source,
        )
        task_model.objects.bulk_create(
            [
                task_model(
                    template=template,
                    ref=ref,
                    name=name,
                    duration=days,
                    predecessors=preds,
                    owner_team=team,
                    kind=kind,
                    source=source,
                    position=position,
                )
                for position, (ref, name, days, preds, team, kind, source) in enumerate(
                    seed_.rows, start=1
                )
            ]
        )


class Migration(migrations.Migration):
    dependencies = [("implementations", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
