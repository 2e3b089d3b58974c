from django.contrib import admin

from clientdesk.utilization.models import DrugProduct


@admin.register(DrugProduct)
class DrugProductAdmin(admin.ModelAdmin[DrugProduct]):
    list_display = ("ndc_code", "drug_name", "drug_class", "generic", "specialty", "loaded_at")
    list_filter = ("generic", "specialty")
    search_fields = ("ndc_code", "drug_name", "drug_class")
