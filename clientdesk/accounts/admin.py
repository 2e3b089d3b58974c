from django.contrib import admin

from clientdesk.accounts.models import Account, ActivityEvent, Assignment, Contact, Contract


class ContactInline(admin.TabularInline[Contact, Account]):
    model = Contact
    extra = 0


class ContractInline(admin.TabularInline[Contract, Account]):
    model = Contract
    extra = 0


class AssignmentInline(admin.TabularInline[Assignment, Account]):
    model = Assignment
    extra = 0


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin[Account]):
    list_display = ["name", "group_number", "segment", "funding", "status", "renewal_date"]
    list_filter = ["segment", "funding", "status", "tier", "region"]
    search_fields = ["name", "group_number", "broker"]
    inlines = [ContactInline, ContractInline, AssignmentInline]


@admin.register(ActivityEvent)
class ActivityEventAdmin(admin.ModelAdmin[ActivityEvent]):
    list_display = ["occurred_at", "account", "kind", "subject", "actor"]
    list_filter = ["kind"]
    search_fields = ["subject", "account__name"]
