"""The REST API at /api/v1/: one NinjaAPI, each app mounts its router here."""

from ninja import NinjaAPI

from aftercare.core.api import ApiKeyAuth, SessionMemberAuth, install_problem_handlers

api = NinjaAPI(
    title="Aftercare API",
    version="1",
    description=(
        "After-sales desk for e-commerce. Authenticate with `Authorization: Bearer <API key>` "
        "(create keys in the console or admin) or with a console session. Errors are RFC 7807 "
        "problem+json with a stable `code`."
    ),
    auth=[ApiKeyAuth(), SessionMemberAuth()],
    urls_namespace="api",
)
install_problem_handlers(api)


def _mount() -> None:
    from aftercare.assistant.api import router as assistant_router
    from aftercare.commerce.api import router as commerce_router
    from aftercare.conversations.api import customers_router as customer_lookup_router
    from aftercare.conversations.api import router as conversations_router
    from aftercare.merchants.api import router as merchants_router
    from aftercare.notifications.api import router as notifications_router
    from aftercare.policies.api import router as policies_router
    from aftercare.refunds.api import router as refunds_router
    from aftercare.returns.api import router as returns_router
    from aftercare.tickets.api import router as tickets_router

    api.add_router("/", merchants_router)
    # Before commerce's /customers/{customer_id}: /customers/lookup is the customer 360.
    api.add_router("/customers", customer_lookup_router)
    api.add_router("/", commerce_router)
    api.add_router("/policies", policies_router)
    api.add_router("/cases", returns_router)
    api.add_router("/assistant", assistant_router)
    api.add_router("/refunds", refunds_router)
    api.add_router("/notifications", notifications_router)
    api.add_router("/conversations", conversations_router)
    api.add_router("/tickets", tickets_router)


_mount()
