"""API shapes for commerce data: what integrations send (In) and what the API returns (Out).

Upsert bodies are `{"records": [...]}`. The endpoint only checks that shape; each record is
validated on its own by the upsert actions, so one bad record gets its own errors instead of
failing the whole batch. The OpenAPI document still describes the record schemas in full.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import BaseModel, ConfigDict, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from aftercare.commerce.models import OrderStatus, PaymentStatus, ShipmentStatus, Tier
from aftercare.merchants.models import Language

Money = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]
ExternalId = Annotated[str, Field(min_length=1, max_length=64)]


class RecordIn(BaseModel):
    # Plain pydantic, not ninja.Schema: records never read Django objects, and ninja's
    # per-object root validator costs a quarter of a 500-order batch.
    # Unknown fields are errors: a misspelt "quantiy" must not be silently ignored.
    model_config = ConfigDict(extra="forbid")


# --- Records sent to the upsert endpoints ----------------------------------------------------


class CustomerIn(RecordIn):
    """A customer. On update, fields you leave out keep their stored value."""

    external_id: ExternalId
    name: str = Field("", max_length=200)
    phone: str = Field("", max_length=40, description="Any common format; stored as E.164.")
    email: str = Field("", max_length=254)
    language: Language = Language.ZH_HANS
    tier: Tier = Tier.NORMAL
    risk_tags: list[Annotated[str, Field(max_length=32)]] = Field(default_factory=list)


class ProductIn(RecordIn):
    """A SKU. On update, fields you leave out keep their stored value."""

    sku: ExternalId
    name: str = Field(min_length=1, max_length=200)
    category: str = Field(min_length=1, max_length=64)
    price: Money
    returnable: bool = True
    return_window_days: int | None = Field(None, ge=0, le=3650)
    must_be_unopened: bool = False
    is_hygiene: bool = False
    is_custom_made: bool = False
    is_perishable: bool = False
    is_digital: bool = False


class OrderLineIn(RecordIn):
    line_no: int = Field(ge=1, le=32767)
    sku: ExternalId
    name: str = Field("", max_length=200, description="Defaults to the product's name.")
    quantity: int = Field(ge=1, le=1_000_000)
    unit_price: Money
    discount: Money = Field(Decimal("0"), description="Line-level discount, for the whole line.")


class PaymentIn(RecordIn):
    external_id: ExternalId
    method: str = Field(min_length=1, max_length=32)
    amount: Money
    status: PaymentStatus = PaymentStatus.PAID
    paid_at: datetime | None = None


class OrderIn(RecordIn):
    """An order, sent whole: its lines (and payments, when given) are the complete set."""

    external_id: ExternalId
    store: str = Field(min_length=1, max_length=64, description="The store's code.")
    customer_external_id: str | None = Field(None, max_length=64)
    customer: CustomerIn | None = Field(None, description="Upserted with the order when given.")
    status: OrderStatus
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$", description="Default: merchant's.")
    placed_at: datetime
    subtotal: Money | None = Field(None, description="If given, must equal the lines' sum.")
    discount_total: Money = Decimal("0")
    shipping_fee: Money = Decimal("0")
    total: Money | None = Field(None, description="If given, must match the computed total.")
    shipping_address: str = Field("", max_length=2000)
    return_shipping_insurance: bool = Field(
        False, description="The order carries return-shipping insurance (运费险)."
    )
    lines: list[OrderLineIn] = Field(min_length=1, max_length=500)
    payments: list[PaymentIn] | None = Field(None, max_length=50)


class ShipmentIn(RecordIn):
    """An outbound parcel. On update, fields you leave out keep their stored value."""

    external_id: ExternalId
    order_external_id: ExternalId
    carrier: str = Field(min_length=1, max_length=32)
    tracking_number: str = Field(min_length=1, max_length=64)
    status: ShipmentStatus
    origin_region: str = Field("", max_length=64)
    destination_region: str = Field("", max_length=64)
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None


class DocumentedAs:
    """Accept any JSON object, but describe it in OpenAPI as `model`."""

    def __init__(self, model: type[BaseModel]) -> None:
        self.model = model

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return handler(self.model.__pydantic_core_schema__)


class CustomerBatchIn(Schema):
    records: list[Annotated[dict[str, Any], DocumentedAs(CustomerIn)]]


class ProductBatchIn(Schema):
    records: list[Annotated[dict[str, Any], DocumentedAs(ProductIn)]]


class OrderBatchIn(Schema):
    records: list[Annotated[dict[str, Any], DocumentedAs(OrderIn)]]


class ShipmentBatchIn(Schema):
    records: list[Annotated[dict[str, Any], DocumentedAs(ShipmentIn)]]


# --- Upsert results (plain pydantic too: up to 1000 of them per response) -----------------------


class RecordErrorOut(BaseModel):
    field: str
    code: str
    message: str


class RecordResultOut(BaseModel):
    index: int
    external_id: str | None
    result: Literal["created", "updated", "unchanged", "error"]
    id: int | None
    errors: list[RecordErrorOut]


class BatchOut(BaseModel):
    created: int
    updated: int
    unchanged: int
    errors: int
    results: list[RecordResultOut]


# --- Reads -----------------------------------------------------------------------------------


class CustomerOut(Schema):
    id: int
    external_id: str
    name: str
    phone: str
    email: str
    language: str
    tier: str
    risk_tags: list[str]
    created_at: datetime
    updated_at: datetime


class ProductOut(Schema):
    id: int
    sku: str
    name: str
    category: str
    price: Decimal
    returnable: bool
    return_window_days: int | None
    must_be_unopened: bool
    is_hygiene: bool
    is_custom_made: bool
    is_perishable: bool
    is_digital: bool
    updated_at: datetime


class CustomerRefOut(Schema):
    id: int
    external_id: str
    name: str


class OrderOut(Schema):
    id: int
    external_id: str
    store: str = Field(description="The store's code.")
    customer: CustomerRefOut
    status: str
    currency: str
    placed_at: datetime
    subtotal: Decimal
    discount_total: Decimal
    shipping_fee: Decimal
    total: Decimal
    return_shipping_insurance: bool
    updated_at: datetime

    @staticmethod
    def resolve_store(obj: Any) -> str:
        return str(obj.store.code)


class OrderLineOut(Schema):
    id: int
    line_no: int
    product_id: int
    sku: str
    name: str
    quantity: int
    unit_price: Decimal
    discount: Decimal


class PaymentOut(Schema):
    id: int
    external_id: str
    method: str
    amount: Decimal
    status: str
    paid_at: datetime | None


class ShipmentOut(Schema):
    id: int
    external_id: str
    order_id: int
    order_external_id: str
    carrier: str
    tracking_number: str
    status: str
    origin_region: str
    destination_region: str
    shipped_at: datetime | None
    delivered_at: datetime | None
    updated_at: datetime

    @staticmethod
    def resolve_order_external_id(obj: Any) -> str:
        return str(obj.order.external_id)


class OrderDetailOut(OrderOut):
    shipping_address: str
    lines: list[OrderLineOut]
    payments: list[PaymentOut]
    shipments: list[ShipmentOut]
