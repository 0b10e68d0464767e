"""Order admin inlines: a duplicate payment or shipment id is a form error, not a server error."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.forms import MultiWidget
from django.test import Client

from aftercare.commerce.models import Payment
from aftercare.commerce.tests.factories import OrderFactory, PaymentFactory


def _form_data(response: Any) -> dict[str, Any]:
    """The change page's current values, as the browser would post them back."""
    data: dict[str, Any] = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        forms.extend(formset.forms)
        management = formset.management_form
        for name, field in management.fields.items():
            data[management.add_prefix(name)] = management.initial.get(name, field.initial)
    for form in forms:
        for name, field in form.fields.items():
            value = form[name].value()
            if isinstance(field.widget, MultiWidget):  # the split date and time inputs
                for index, part in enumerate(field.widget.decompress(value)):
                    data[f"{form.add_prefix(name)}_{index}"] = "" if part is None else str(part)
            else:
                data[form.add_prefix(name)] = "" if value is None else value
    return data


def test_duplicate_payment_id_in_the_order_inline_is_a_form_error(merchant) -> None:
    taken = PaymentFactory(order=OrderFactory(merchant=merchant), external_id="PAY-TAKEN")
    order = OrderFactory(merchant=merchant)
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("root", "r@example.com", "x"))
    url = f"/admin/commerce/order/{order.pk}/change/"
    data = _form_data(client.get(url))
    data.update(
        {
            "payments-TOTAL_FORMS": "1",
            "payments-0-external_id": "PAY-TAKEN",
            "payments-0-method": "alipay",
            "payments-0-amount": "10.00",
            "payments-0-status": "paid",
        }
    )

    response = client.post(url, data)

    assert response.status_code == 200  # the form again, with the error
    assert "already exists" in response.content.decode()
    assert list(Payment.objects.filter(external_id="PAY-TAKEN")) == [taken]
