from django.contrib import admin

from clientdesk.guarantees.models import (
    Guarantee,
    GuaranteeAlert,
    GuaranteeForecast,
    GuaranteeResult,
    GuaranteeTerms,
)


@admin.register(Guarantee)
class GuaranteeAdmin(admin.ModelAdmin[Guarantee]):
    list_display = ["id", "contract", "metric", "comparator", "target", "level", "period"]
    list_filter = ["metric", "level", "period", "schedule"]
    search_fields = ["contract__number", "contract__account__group_number", "label"]


@admin.register(GuaranteeTerms)
class GuaranteeTermsAdmin(admin.ModelAdmin[GuaranteeTerms]):
    list_display = ["contract", "pool_pct_of_fees", "max_share_pct"]


@admin.register(GuaranteeResult)
class GuaranteeResultAdmin(admin.ModelAdmin[GuaranteeResult]):
    list_display = ["guarantee", "kind", "period_label", "status", "actual", "met", "penalty"]
    list_filter = ["kind", "status", "met", "source"]
    readonly_fields = [f.name for f in GuaranteeResult._meta.fields]


@admin.register(GuaranteeForecast)
class GuaranteeForecastAdmin(admin.ModelAdmin[GuaranteeForecast]):
    list_display = ["guarantee", "period_label", "as_of", "p_miss", "expected_penalty"]
    readonly_fields = [f.name for f in GuaranteeForecast._meta.fields]


@admin.register(GuaranteeAlert)
class GuaranteeAlertAdmin(admin.ModelAdmin[GuaranteeAlert]):
    list_display = ["guarantee", "period_label", "status", "p_miss_latest", "opened_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in GuaranteeAlert._meta.fields]
