"""Forms for inquiries, queues, SLA policies and escalations. The pages and the API validate
through the same forms."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import PurePath
from typing import Any, cast

from django import forms
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q, QuerySet
from django.utils import timezone

from clientdesk.accounts.models import Account, Contact
from clientdesk.inquiries import conf
from clientdesk.inquiries.access import inquiries_visible_to, writable_accounts
from clientdesk.inquiries.actions import eligible_owners
from clientdesk.inquiries.models import (
    SUBCATEGORIES,
    AccountEscalation,
    Category,
    EscalationStatus,
    Inquiry,
    LiveSlaState,
    NoteVisibility,
    Priority,
    RequesterType,
    ResolutionCode,
    RoutingMethod,
    SlaEventKind,
    SlaMetric,
    SlaPolicy,
    Status,
)
from clientdesk.lib.periods import Period, parse_period
from clientdesk.lib.record_ids import parse_record_id
from clientdesk.people.pickers import PersonChoiceField
from clientdesk.people.roles import Role

AnyUser = AbstractBaseUser | AnonymousUser
_ID_TOKEN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
_REFERENCE = re.compile(r"^(?:Q-?)?0*(\d{1,12})$", re.IGNORECASE)


OLDEST_OPENED_DAYS = 3653  # ten years


class DateInput(forms.DateInput):
    input_type = "date"


def subcategory_choices(category: str = "") -> list[tuple[str, Any]]:
    """The subcategories of the chosen category; of every category, grouped, until one is
    chosen (the page reloads the list when the category changes)."""
    if category in SUBCATEGORIES:
        return [("", "—"), *SUBCATEGORIES[category]]
    labels = dict(Category.choices)
    return [("", "—"), *((labels[c], pairs) for c, pairs in SUBCATEGORIES.items())]


def worker_queryset() -> QuerySet[User]:
    """People who may own inquiries somewhere: associates and managers."""
    return (
        User.objects.filter(groups__name__in=[Role.ASSOCIATE, Role.MANAGER], is_active=True)
        .distinct()
        .order_by("last_name", "first_name", "id")
    )


def _choices(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    return cast("forms.ChoiceField", form.fields[name])


def _model_choices(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    return cast("forms.ModelChoiceField[Any]", form.fields[name])


def parse_ids(raw: str, label: str) -> list[str]:
    tokens = [t for t in re.split(r"[\s,;]+", raw.strip()) if t]
    bad = [t for t in tokens if not _ID_TOKEN.match(t)]
    if bad:
        raise forms.ValidationError(
            f"These are not {label}: {', '.join(bad[:5])} (letters, digits, . _ - only)."
        )
    return list(dict.fromkeys(tokens))


class InquiryForm(forms.ModelForm[Inquiry]):
    """Opening an inquiry (with account, owner and when it came in) or changing its details
    (with the version the form was read at)."""

    claim_ids = forms.CharField(
        label="Related claim IDs", required=False, help_text="Separate with commas or spaces."
    )
    call_ids = forms.CharField(label="Related call IDs", required=False)
    # The choices are the chosen category's: one of another category is refused as clean() does.
    subcategory = forms.ChoiceField(
        required=False,
        error_messages={"invalid_choice": "This subcategory is not in the chosen category."},
    )
    owner = PersonChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label="Assign by the account's routing rule",
    )
    opened_at = forms.DateTimeField(
        label="Received",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="Leave empty for now.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Inquiry
        fields = [
            "account",
            "requester_type",
            "member_reference",
            "contact",
            "broker_name",
            "channel",
            "category",
            "subcategory",
            "priority",
            "subject",
            "description",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        category = self._chosen("category") or (self.instance.category if self.instance.pk else "")
        _choices(self, "subcategory").choices = subcategory_choices(category)
        editing = self.instance.pk is not None
        if editing:
            for name in ("account", "owner", "opened_at"):
                del self.fields[name]
            _model_choices(self, "contact").queryset = Contact.objects.filter(
                account_id=self.instance.account_id
            )
            self.fields["version"].required = True
            self.initial.setdefault("version", self.instance.version)
            self.initial.setdefault("claim_ids", ", ".join(self.instance.claim_ids))
            self.initial.setdefault("call_ids", ", ".join(self.instance.call_ids))
        else:
            del self.fields["version"]
            accounts = writable_accounts(user).order_by("name")
            _model_choices(self, "account").queryset = accounts
            # The contacts of the chosen account (of every writable account until one is chosen:
            # the page reloads the list when the account changes).
            chosen = parse_record_id(self._chosen("account"))
            contacts = Contact.objects.filter(account__in=accounts.values("pk"))
            if chosen is not None:
                contacts = contacts.filter(account_id=chosen)
            _model_choices(self, "contact").queryset = contacts.order_by("name")
            owner_field = _model_choices(self, "owner")
            owner_field.queryset = worker_queryset()
            # Whoever logs the inquiry owns it, unless they leave it to the routing rule.
            logger_id = getattr(user, "pk", None)
            if logger_id is not None and owner_field.queryset.filter(pk=logger_id).exists():
                self.initial.setdefault("owner", logger_id)
        self.fields[
            "member_reference"
        ].help_text = "Shown masked everywhere; showing it in full is recorded in the audit trail."

    def _chosen(self, name: str) -> str:
        """The value of a field as submitted, or as the page was opened with."""
        value = self.data.get(name) if self.is_bound else self.initial.get(name)
        return str(value) if value not in (None, "") else ""

    def clean_claim_ids(self) -> list[str]:
        return parse_ids(self.cleaned_data.get("claim_ids") or "", "claim IDs")

    def clean_call_ids(self) -> list[str]:
        return parse_ids(self.cleaned_data.get("call_ids") or "", "call IDs")

    def clean_opened_at(self) -> dt.datetime | None:
        value: dt.datetime | None = self.cleaned_data.get("opened_at")
        if value is not None and value > timezone.now():
            raise forms.ValidationError("An inquiry cannot be received in the future.")
        # The SLA clock counts business hours on a calendar of a few decades: a typo such as
        # year 0236 raised inside it (a 500); ten years back is older than any open inquiry.
        if value is not None and value < timezone.now() - dt.timedelta(days=OLDEST_OPENED_DAYS):
            raise forms.ValidationError("An inquiry received more than ten years ago is a typo.")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        account: Account | None = (
            data.get("account") if self.instance.pk is None else self.instance.account
        )
        requester = data.get("requester_type")
        contact: Contact | None = data.get("contact")
        if requester == RequesterType.MEMBER and not data.get("member_reference"):
            self.add_error("member_reference", "An inquiry about a member needs the member ID.")
        if requester == RequesterType.SPONSOR and contact is None:
            self.add_error("contact", "Choose the sponsor contact who asked.")
        if requester == RequesterType.BROKER and not (data.get("broker_name") or contact):
            self.add_error("broker_name", "Name the broker or choose their contact.")
        if contact is not None and account is not None and contact.account_id != account.pk:
            self.add_error("contact", "This contact belongs to another account.")
        category, sub = data.get("category"), data.get("subcategory")
        if category and sub and sub not in {code for code, _ in SUBCATEGORIES[category]}:
            self.add_error("subcategory", "This subcategory is not in the chosen category.")
        owner: User | None = data.get("owner")
        if owner is not None and account is not None and owner not in eligible_owners(account):
            self.add_error("owner", "Choose someone on the account's team, or a manager.")
        return data

    def changes(self) -> dict[str, Any]:
        """The cleaned values as the actions take them."""
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name != "account"}
        data["claim_ids"] = self.cleaned_data.get("claim_ids", [])
        data["call_ids"] = self.cleaned_data.get("call_ids", [])
        for name in ("owner", "opened_at"):
            if name in self.fields:
                data[name] = self.cleaned_data.get(name)
        return data


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class StatusForm(VersionedForm):
    status = forms.ChoiceField(label="New status")
    resolution_code = forms.ChoiceField(
        choices=[("", "—"), *ResolutionCode.choices], required=False
    )
    resolution_summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Resolution summary"
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Internal note"
    )

    def __init__(self, *args: Any, inquiry: Inquiry, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.inquiry = inquiry
        self.initial.setdefault("version", inquiry.version)
        done = inquiry.status in (Status.RESOLVED, Status.CLOSED)
        _choices(self, "status").choices = [
            (s, "Reopen" if done and s == Status.OPEN else Status(s).label)
            for s in inquiry.allowed_statuses()
        ]
        _choices(self, "resolution_code").choices = [
            (c, label)
            for c, label in [("", "—"), *ResolutionCode.choices]
            if c != ResolutionCode.DUPLICATE
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == Status.RESOLVED:
            if not data.get("resolution_code"):
                self.add_error("resolution_code", "Choose how it was resolved.")
            if not (data.get("resolution_summary") or "").strip():
                self.add_error("resolution_summary", "Say what was done.")
        return data


class NoteForm(forms.Form):
    visibility = forms.ChoiceField(choices=NoteVisibility.choices, label="Kind")
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Note", max_length=10000)


class AssignForm(VersionedForm):
    owner = PersonChoiceField(
        queryset=User.objects.none(), required=False, empty_label="Nobody: back to the queue"
    )

    def __init__(self, *args: Any, inquiry: Inquiry, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("version", inquiry.version)
        self.initial.setdefault("owner", inquiry.owner_id)
        ids = [u.pk for u in eligible_owners(inquiry.account)]
        owner_field = _model_choices(self, "owner")
        owner_field.queryset = User.objects.filter(pk__in=ids).order_by("last_name", "id")


class EscalateForm(VersionedForm):
    to = forms.ChoiceField(
        label="Escalate to",
        choices=[
            ("manager", "The manager (takes the inquiry)"),
            ("service_ops", "Service operations"),
        ],
    )
    reason = forms.CharField(label="Why", widget=forms.Textarea(attrs={"rows": 2}), max_length=500)

    def __init__(self, *args: Any, inquiry: Inquiry, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("version", inquiry.version)


class MergeForm(VersionedForm):
    into = forms.CharField(
        label="Merge this inquiry into",
        help_text="The reference of the inquiry to keep, e.g. Q-000123.",
        max_length=20,
    )

    def __init__(self, *args: Any, inquiry: Inquiry, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.inquiry, self.user = inquiry, user
        self.initial.setdefault("version", inquiry.version)

    def clean_into(self) -> Inquiry:
        match = _REFERENCE.match((self.cleaned_data.get("into") or "").strip())
        if not match:
            raise forms.ValidationError("Write the reference as Q-000123.")
        target = inquiries_visible_to(self.user).filter(pk=int(match[1])).first()
        if target is None:
            raise forms.ValidationError("There is no such inquiry among yours.")
        if target.pk == self.inquiry.pk:
            raise forms.ValidationError("An inquiry cannot be merged into itself.")
        if target.account_id != self.inquiry.account_id:
            raise forms.ValidationError("Only inquiries of the same account can be merged.")
        if target.merged_into_id is not None:
            raise forms.ValidationError(f"{target.reference} was itself merged.")
        return target


# Accepted attachments: extension → (content type, how the file must begin).
ATTACHMENT_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (b"PK\x03\x04",),
    ),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    ".txt": ("text/plain", ()),
    ".csv": ("text/csv", ()),
    ".eml": ("message/rfc822", ()),
}


class AttachmentForm(forms.Form):
    file = forms.FileField(
        help_text="PDF, PNG, JPEG, XLSX, DOCX, TXT, CSV or EML, at most "
        f"{conf.ATTACHMENT_MAX_MB} MB."
    )

    def clean_file(self) -> UploadedFile[bytes]:
        upload: UploadedFile[bytes] = self.cleaned_data["file"]
        limit = conf.ATTACHMENT_MAX_MB * 1024 * 1024
        if (upload.size or 0) > limit:
            raise forms.ValidationError(f"The file is larger than {conf.ATTACHMENT_MAX_MB} MB.")
        suffix = PurePath(upload.name or "").suffix.lower()
        if suffix not in ATTACHMENT_TYPES:
            raise forms.ValidationError("This kind of file is not accepted.")
        content_type, signatures = ATTACHMENT_TYPES[suffix]
        upload.seek(0)
        head = upload.read(4096)
        upload.seek(0)
        if signatures and not any(head.startswith(s) for s in signatures):
            raise forms.ValidationError(f"The file's content is not {suffix[1:].upper()}.")
        if not signatures:
            try:
                head.decode("utf-8")
            except UnicodeDecodeError:
                # A cut in the middle of a multi-byte character at the end is fine.
                try:
                    head[:-3].decode("utf-8")
                except UnicodeDecodeError:
                    raise forms.ValidationError("A text file must be UTF-8 text.") from None
            if b"\x00" in head:
                raise forms.ValidationError("A text file must be UTF-8 text.")
        self.content_type = content_type
        return upload


STATUS_FILTERS = [
    ("", "Any status"),
    ("active", "Active (not resolved)"),
    ("done", "Resolved or closed"),
    *Status.choices,
]
SORTS = {
    "due": "SLA due, soonest",
    "-opened": "Newest",
    "opened": "Oldest",
    "priority": "Priority, most urgent",
}


class InquiryFilterForm(forms.Form):
    """The inquiry list's filters; the dashboard links to the list with these parameters."""

    q = forms.CharField(
        required=False,
        label="Search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Subject or Q-number"}),
    )
    status = forms.ChoiceField(choices=STATUS_FILTERS, required=False)
    category = forms.ChoiceField(choices=[("", "Any category"), *Category.choices], required=False)
    priority = forms.ChoiceField(choices=[("", "Any priority"), *Priority.choices], required=False)
    owner = forms.ChoiceField(required=False)
    account = forms.ModelChoiceField(
        queryset=Account.objects.none(), required=False, empty_label="Any account"
    )
    sla = forms.ChoiceField(
        choices=[("", "Any SLA state"), *LiveSlaState.choices], required=False, label="SLA"
    )
    period = forms.CharField(
        required=False,
        label="Opened in",
        widget=forms.TextInput(attrs={"placeholder": "2026-03, 2026Q1 or 2026", "size": 12}),
    )
    opened_from = forms.DateField(required=False, widget=DateInput, label="Opened from")
    opened_to = forms.DateField(required=False, widget=DateInput, label="Opened to")
    # SLA outcomes (the dashboard's "% met" links): the current outcome of one clock.
    outcome = forms.ChoiceField(
        choices=[("", "Any"), (SlaEventKind.MET, "Met"), (SlaEventKind.BREACHED, "Breached")],
        required=False,
        label="SLA outcome",
    )
    metric = forms.ChoiceField(choices=[("", "Either clock"), *SlaMetric.choices], required=False)
    outcome_from = forms.DateField(required=False, widget=DateInput, label="Outcome from")
    outcome_to = forms.DateField(required=False, widget=DateInput, label="Outcome to")
    accountable = forms.RegexField(
        regex=r"^(none|imported|\d{1,12})$", required=False, widget=forms.HiddenInput
    )
    sort = forms.ChoiceField(choices=[("", "Default"), *SORTS.items()], required=False)

    def __init__(self, *args: Any, user: AnyUser, accounts: QuerySet[Account], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user
        account_field = _model_choices(self, "account")
        account_field.queryset = accounts.order_by("name").only("id", "name", "group_number")
        _choices(self, "owner").choices = [
            ("", "Anyone"),
            ("none", "Nobody (in the queue)"),
            ("me", "Me"),
            *((str(u.pk), u.get_full_name() or u.username) for u in worker_queryset()),
        ]

    def clean_period(self) -> Period | None:
        raw = (self.cleaned_data.get("period") or "").strip()
        if not raw:
            return None
        try:
            return parse_period(raw)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("opened_from"), data.get("opened_to")
        if low and high and high < low:
            self.add_error("opened_to", "The end is before the start.")
        return data


class BulkAssignForm(forms.Form):
    inquiries = forms.ModelMultipleChoiceField(
        queryset=Inquiry.objects.none(), error_messages={"required": "Select inquiries first."}
    )
    owner = PersonChoiceField(queryset=User.objects.none(), required=False, label="Assign to")
    auto = forms.BooleanField(
        required=False, label="Assign each by its account's routing rule instead"
    )

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        inquiries_field = _model_choices(self, "inquiries")
        owner_field = _model_choices(self, "owner")
        inquiries_field.queryset = inquiries_visible_to(user).filter(merged_into__isnull=True)
        owner_field.queryset = worker_queryset()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        owner: User | None = data.get("owner")
        chosen = data.get("inquiries")
        if owner is None and not data.get("auto"):
            self.add_error("owner", "Choose who gets them, or assign by the routing rules.")
        if owner is not None and chosen is not None:
            accounts = {i.account for i in chosen.select_related("account")}
            for account in sorted(accounts, key=lambda a: a.name):
                if owner not in eligible_owners(account):
                    self.add_error(
                        "owner",
                        f"{owner.get_full_name() or owner.username} is not on the team of "
                        f"{account.name} (and is not a manager).",
                    )
                    break
        return data


class SlaPolicyForm(forms.ModelForm[SlaPolicy]):
    class Meta:
        model = SlaPolicy
        fields = [
            "name",
            "tier",
            "category",
            "priority",
            "first_response_hours",
            "resolution_hours",
            "is_active",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, resolution = data.get("first_response_hours"), data.get("resolution_hours")
        if first is not None and resolution is not None and resolution < first:
            self.add_error(
                "resolution_hours", "Resolution cannot be due before the first response."
            )
        if data.get("is_active"):
            clash = SlaPolicy.objects.filter(
                is_active=True,
                tier=data.get("tier") or "",
                category=data.get("category") or "",
                priority=data.get("priority") or "",
            ).exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error(None, f"“{clash[0].name}” already covers exactly this scope.")
        return data


class RoutingRuleForm(forms.Form):
    account = forms.ModelChoiceField(queryset=Account.objects.order_by("name"))
    method = forms.ChoiceField(
        choices=[
            ("", f"Default ({RoutingMethod(conf.ROUTING).label.lower()})"),
            *RoutingMethod.choices,
        ],
        required=False,
        label="Assign new inquiries",
    )
    use_competence = forms.BooleanField(
        required=False, label="Only associates competent in the category"
    )


class CompetenceForm(forms.Form):
    user = PersonChoiceField(
        queryset=User.objects.filter(groups__name=Role.ASSOCIATE, is_active=True).order_by(
            "last_name", "id"
        ),
        label="Associate",
    )
    categories = forms.MultipleChoiceField(
        choices=Category.choices, widget=forms.CheckboxSelectMultiple, required=False
    )


class EscalationForm(forms.ModelForm[AccountEscalation]):
    owner = PersonChoiceField(queryset=User.objects.none(), required=False)

    class Meta:
        model = AccountEscalation
        fields = ["title", "reason", "severity", "owner"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, account: Account, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = [u.pk for u in eligible_owners(account)]
        owner_field = _model_choices(self, "owner")
        owner_field.queryset = User.objects.filter(pk__in=ids).order_by("last_name", "id")


class EscalationUpdateForm(forms.ModelForm[AccountEscalation]):
    owner = PersonChoiceField(queryset=User.objects.none(), required=False)

    class Meta:
        model = AccountEscalation
        fields = ["severity", "status", "owner", "resolution"]
        widgets = {"resolution": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = [u.pk for u in eligible_owners(self.instance.account)]
        owner_field = _model_choices(self, "owner")
        owner_field.queryset = User.objects.filter(Q(pk__in=ids)).order_by("last_name", "id")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("status") == EscalationStatus.RESOLVED
            and not (data.get("resolution") or "").strip()
        ):
            self.add_error("resolution", "Say how the escalation was resolved.")
        return data


class EscalationNoteForm(forms.Form):
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="Progress note", max_length=10000
    )
