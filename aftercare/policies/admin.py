"""Admin: policies with their versions read-only inline; editing adds a version; presets.

Admins of a merchant see only their merchant's policies; superusers see all. A version is
never edited: the change form shows the current spec in a JSON textarea, and saving a
changed spec adds a new version through actions.add_version (validated by PolicySpec).
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from pydantic import ValidationError

from aftercare.core.actors import Actor
from aftercare.merchants.queries import actor_for_user
from aftercare.policies import actions
from aftercare.policies.models import PolicyVersion, ReturnPolicy
from aftercare.policies.presets import PRESETS
from aftercare.policies.queries import latest_version
from aftercare.policies.spec import PolicySpec, parse_spec


def _actor(request: HttpRequest, policy: ReturnPolicy) -> Actor:
    actor = actor_for_user(request.user)
    if actor is not None and actor.merchant_id == policy.merchant_id:
        return actor
    # A superuser without a membership acts as the system, named after the user.
    return Actor.system(policy.merchant, label=f"admin:{request.user.get_username()}")


def _may_manage(request: HttpRequest) -> bool:
    # A merchant's admins manage its policies without per-model Django permissions.
    if request.user.is_superuser:  # type: ignore[union-attr]
        return True
    actor = actor_for_user(request.user)
    return actor is not None and actor.role == "admin"


class PolicyVersionInline(admin.TabularInline):
    model = PolicyVersion
    fields = ("number", "note", "created_by", "created_at", "spec")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-number",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_manage(request)


class ReturnPolicyForm(forms.ModelForm):
    new_spec = forms.CharField(
        label="Spec (JSON)",
        widget=forms.Textarea(attrs={"rows": 30, "cols": 100, "style": "font-family: monospace"}),
        help_text="Saving a changed spec adds a new version; old versions never change.",
    )
    version_note = forms.CharField(max_length=300, required=False)

    class Meta:
        model = ReturnPolicy
        fields = ("name",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = latest_version(self.instance) if self.instance.pk else None
        spec = current.spec if current else PolicySpec().model_dump(mode="json")
        self.fields["new_spec"].initial = json.dumps(spec, indent=2, ensure_ascii=False)
        self.current_spec = current.spec if current else None

    def clean_new_spec(self) -> PolicySpec:
        try:
            return parse_spec(json.loads(self.cleaned_data["new_spec"]))
        except json.JSONDecodeError as error:
            raise forms.ValidationError(f"Not valid JSON: {error}") from None
        except ValidationError as error:
            lines = [
                f"{'.'.join(str(p) for p in e['loc']) or 'spec'}: {e['msg']}"
                for e in error.errors()
            ]
            raise forms.ValidationError(lines) from None


@admin.register(ReturnPolicy)
class ReturnPolicyAdmin(admin.ModelAdmin):
    form = ReturnPolicyForm
    list_display = ("name", "merchant", "is_active", "updated_at")
    list_filter = ("is_active",)
    readonly_fields = ("is_active",)
    inlines = [PolicyVersionInline]
    actions = ["activate", *[f"install_{name}" for name in PRESETS]]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReturnPolicy]:
        queryset = super().get_queryset(request).select_related("merchant")
        if request.user.is_superuser:  # type: ignore[union-attr]
            return queryset
        actor = actor_for_user(request.user)
        return queryset.filter(merchant_id=actor.merchant_id if actor else -1)

    def _allowed(self, request: HttpRequest) -> bool:
        return _may_manage(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Adding needs to know the merchant: members only (superusers use the API or CLI).
        return _may_manage(request) and actor_for_user(request.user) is not None

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # cases point at versions; a policy is retired, not deleted

    def save_model(self, request: HttpRequest, obj: ReturnPolicy, form: Any, change: bool) -> None:
        spec: PolicySpec = form.cleaned_data["new_spec"]
        note = form.cleaned_data.get("version_note", "")
        if not change:
            actor = actor_for_user(request.user)
            assert actor is not None  # has_add_permission
            created = actions.create_policy(actor=actor, name=obj.name, spec=spec, note=note)
            obj.pk, obj.merchant_id = created.pk, created.merchant_id
            return
        obj.save(update_fields=["name", "updated_at"])
        if spec.model_dump(mode="json") != form.current_spec:
            version = actions.add_version(
                actor=_actor(request, obj), policy=obj, spec=spec, note=note
            )
            messages.success(request, f"Version {version.number} added.")

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Versions are written by the actions above; the read-only inline only does its
        # bookkeeping (commit=False writes nothing).
        form.save_m2m()
        for formset in formsets:
            formset.save(commit=False)

    @admin.action(description="Make the selected policy the active one")
    def activate(self, request: HttpRequest, queryset: QuerySet[ReturnPolicy]) -> None:
        for policy in queryset[:1]:
            actions.activate_policy(actor=_actor(request, policy), policy=policy)
            messages.success(request, f"{policy} is now active.")


def _preset_action(name: str) -> Any:
    def install(
        modeladmin: ReturnPolicyAdmin, request: HttpRequest, queryset: QuerySet[ReturnPolicy]
    ) -> None:
        for policy in queryset:
            version = actions.add_version(
                actor=_actor(request, policy), policy=policy, spec=PRESETS[name](), note=name
            )
            messages.success(request, f"{policy}: version {version.number} from preset {name}.")

    install.__name__ = f"install_{name}"
    return admin.action(description=f"Add a version from the {name} preset")(install)


for _name in PRESETS:
    setattr(ReturnPolicyAdmin, f"install_{_name}", _preset_action(_name))
