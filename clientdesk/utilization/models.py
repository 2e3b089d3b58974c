"""Reference data of utilization analysis: the drug (NDC) reference."""

from __future__ import annotations

from django.db import models


class DrugProduct(models.Model):
    """One NDC: whether it is a generic and a specialty drug.

    The Tuva input layer's pharmacy_claim carries only the NDC; generic dispensing rate and
    specialty share need this reference (loaded with `clientdesk ndc FILE`)."""

    ndc_code = models.CharField("NDC (11 digits)", max_length=11, unique=True)
    drug_name = models.CharField(max_length=200, blank=True)
    drug_class = models.CharField(max_length=100, blank=True)
    generic = models.BooleanField()
    specialty = models.BooleanField(default=False)
    maintenance = models.BooleanField(default=False)
    source = models.CharField(max_length=255, blank=True, help_text="File it was loaded from.")
    loaded_at = models.DateTimeField()

    class Meta:
        ordering = ["ndc_code"]

    def __str__(self) -> str:
        return f"{self.ndc_code} {self.drug_name}".strip()
