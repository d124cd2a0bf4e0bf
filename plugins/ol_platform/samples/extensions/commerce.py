"""Ecommerce tables of the MITx Online, xPRO, MicroMasters and Bootcamps samples: products,
orders and their lines, discounts and coupons, payments (transactions / receipts) and refunds.

Orders are placed by the samples' existing learners for their own enrollments (a verified
MITx Online enrollment was bought, an xPRO or Bootcamps enrollment was paid for), so the
warehouse can tie every order to a person and a course run. Payment processor responses are
stored as the applications store them: a JSON document per transaction or receipt.
"""

from __future__ import annotations

import json
import random
import uuid
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from ol_platform.samples import mitxonline_app
from ol_platform.samples.app_databases import (
    bootcamps_md,
    extends,
    micromasters_md,
    xpro_md,
)
from ol_platform.samples.schema import STAMPS, ColumnSpec, Rows, stamped, stamps, table

PRICE = sa.Numeric(12, 2)
CARD_TYPES = ["001", "002", "003"]  # the processor's codes: Visa, Mastercard, Amex
STATES = [("US", "MA"), ("US", "CA"), ("US", "NY"), ("IN", "KA"), ("DE", "BE"), ("BR", "SP")]


def _money(value: float) -> Decimal:
    return Decimal(str(round(value, 2))).quantize(Decimal("0.01"))


# MicroMasters stamps its orders, lines and receipts created_at/modified_at (its coupons
# created_on/updated_on, as the other apps do).
MM_STAMPS = stamps("created_at", "modified_at")


def _content_types(md: sa.MetaData) -> None:
    table(md, "django_content_type", ("app_label", sa.String(100)), ("model", sa.String(100)))


def _content_type_rows(*models: tuple[str, str]) -> list[dict]:
    """``django_content_type`` rows for ``(app_label, model)`` pairs, ids from 1."""
    return [dict(id=i, app_label=app, model=model) for i, (app, model) in enumerate(models, 1)]


def _order_table(
    md: sa.MetaData, buyer: str, *extra: ColumnSpec, names: tuple[ColumnSpec, ...] = STAMPS
) -> sa.Table:
    """``ecommerce_order`` of xPRO, MicroMasters and Bootcamps (MITx Online's leads with its
    ``state``): the buyer column as the app names it, status, amount paid, then ``extra``."""
    return table(
        md,
        "ecommerce_order",
        (buyer, sa.Integer),
        ("status", sa.String(30)),
        ("total_price_paid", PRICE),
        *extra,
        *names,
    )


def _seat_line_table(
    md: sa.MetaData, item: ColumnSpec, names: tuple[ColumnSpec, ...] = STAMPS
) -> sa.Table:
    """``ecommerce_line`` of MicroMasters and Bootcamps: one seat in ``item`` at a price."""
    return table(
        md,
        "ecommerce_line",
        ("order_id", sa.Integer),
        item,
        ("price", PRICE),
        ("description", sa.Text),
        *names,
    )


def _receipt_table(md: sa.MetaData, names: tuple[ColumnSpec, ...] = STAMPS) -> sa.Table:
    """``ecommerce_receipt``: the processor's response to an order's payment."""
    return table(md, "ecommerce_receipt", ("order_id", sa.Integer), ("data", sa.Text), *names)


def _seat_line(
    order_id: int,
    item: tuple[str, object],
    price: Decimal,
    description: str,
    created: datetime,
    names: tuple[ColumnSpec, ...] = STAMPS,
) -> dict:
    """A :func:`_seat_line_table` row; one line per order, so it shares the order's id."""
    name, value = item
    return {
        "id": order_id,
        "order_id": order_id,
        name: value,
        "price": price,
        "description": description,
        **stamped(created, names=names),
    }


def _status(rng: random.Random, weights: dict[str, int]) -> str:
    """An order's status, drawn with the platform's weights (one RNG draw)."""
    return rng.choices(list(weights), list(weights.values()))[0]


def _payment_data(
    rng: random.Random,
    *,
    reference: str,
    amount: Decimal,
    email: str,
    name: str,
    when: datetime,
    decision: str = "ACCEPT",
    transaction_type: str = "sale",
) -> str:
    """A payment processor response as the applications keep it (``data`` JSON)."""
    country, state = rng.choice(STATES)
    first, _, last = name.partition(" ")
    return json.dumps(
        {
            "decision": decision,
            "reason_code": "100" if decision == "ACCEPT" else "481",
            "auth_code": f"{rng.randrange(10**6):06d}" if decision == "ACCEPT" else None,
            "transaction_id": str(rng.randrange(10**21, 10**22)),
            "req_reference_number": reference,
            "req_transaction_uuid": f"{rng.getrandbits(128):032x}",
            "req_transaction_type": transaction_type,
            "req_amount": f"{amount:.2f}",
            "req_currency": "USD",
            "req_payment_method": "card",
            "req_card_number": f"xxxxxxxxxxxx{rng.randrange(10**4):04d}",
            "req_card_type": rng.choice(CARD_TYPES),
            "req_bill_to_forename": first,
            "req_bill_to_surname": last,
            "req_bill_to_email": email,
            "req_bill_to_address_country": country,
            "req_bill_to_address_state": state,
            "req_customer_ip_address": "10."
            + ".".join(str(rng.randrange(1, 255)) for _ in range(3)),
            "signed_date_time": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
    )


def _receipt(
    rng: random.Random,
    receipt_id: int,
    order_id: int,
    *,
    status: str,
    reference: str,
    amount: Decimal,
    email: str,
    name: str,
    when: datetime,
    names: tuple[ColumnSpec, ...] = STAMPS,
) -> dict:
    """A receipt row: the processor declined the payment of a failed order."""
    return dict(
        id=receipt_id,
        order_id=order_id,
        **stamped(when, names=names),
        data=_payment_data(
            rng,
            reference=reference,
            amount=amount,
            email=email,
            name=name,
            when=when,
            decision="DECLINE" if status == "failed" else "ACCEPT",
        ),
    )


# --- MITx Online ---------------------------------------------------------------------------

_mo = mitxonline_app.metadata
_content_types(_mo)
table(
    _mo,
    "ecommerce_product",
    ("price", PRICE),
    ("description", sa.Text),
    ("is_active", sa.Boolean),
    ("object_id", sa.Integer),
    ("content_type_id", sa.Integer),
    *STAMPS,
)
table(
    _mo,
    "reversion_version",
    ("object_id", sa.String(191)),
    ("content_type_id", sa.Integer),
    ("db", sa.String(191)),
    ("format", sa.String(255)),
    ("serialized_data", sa.Text),
    ("object_repr", sa.Text),
    ("revision_id", sa.Integer),
)
table(
    _mo,
    "ecommerce_order",
    ("state", sa.String(50)),
    ("purchaser_id", sa.Integer),
    ("total_price_paid", PRICE),
    ("reference_number", sa.String(255)),
    *STAMPS,
)
table(
    _mo,
    "ecommerce_line",
    ("order_id", sa.Integer),
    ("product_version_id", sa.Integer),
    ("purchased_object_id", sa.Integer),
    ("purchased_content_type_id", sa.Integer),
    ("quantity", sa.Integer),
    *STAMPS,
)
table(
    _mo,
    "ecommerce_discount",
    ("amount", PRICE),
    ("discount_code", sa.String(100)),
    ("discount_type", sa.String(30)),
    ("redemption_type", sa.String(30)),
    ("max_redemptions", sa.Integer),
    ("payment_type", sa.String(30)),
    ("activation_date", sa.DateTime),
    ("expiration_date", sa.DateTime),
    *STAMPS,
)
table(
    _mo,
    "ecommerce_discountredemption",
    ("redemption_date", sa.DateTime),
    ("redeemed_by_id", sa.Integer),
    ("redeemed_order_id", sa.Integer),
    ("redeemed_discount_id", sa.Integer),
)
table(
    _mo,
    "ecommerce_transaction",
    ("order_id", sa.Integer),
    ("amount", PRICE),
    ("data", sa.Text),
    ("transaction_id", sa.String(255)),
    ("transaction_type", sa.String(20)),
    ("reason", sa.Text),
    *STAMPS,
)

# Program products name their program by readable id; the programs' ids come from the
# sample's courses_program table when a module generated it before this one.
MITXONLINE_PROGRAMS = ["program-v1:MITx+DEDP", "program-v1:MITx+SDS", "program-v1:MITx+SCM"]
MITXONLINE_ORDER_STATES = {"fulfilled": 85, "refunded": 6, "canceled": 5, "pending": 4}
MITXONLINE_DISCOUNTS = [
    ("WELCOME10", "percent-off", 10, "unlimited", "marketing"),
    ("FINAID-50", "dollars-off", 50, "one-time", "financial-assistance"),
    ("STAFF", "fixed-price", 0, "unlimited", "staff"),
    ("HALFOFF", "percent-off", 50, "one-time-per-user", "sales"),
]


def _discounted(price: Decimal, kind: str, amount: float) -> Decimal:
    if kind == "percent-off":
        return _money(float(price) * (1 - amount / 100))
    if kind == "dollars-off":
        return max(Decimal("0.00"), price - _money(amount))
    return _money(amount)  # fixed-price


def _transaction(
    rng: random.Random,
    transaction_id: int,
    order: dict,
    user: dict,
    kind: str,
    when: datetime,
    reason: str | None = None,
) -> dict:
    """A MITx Online ``ecommerce_transaction`` of the amount ``order`` paid: a payment (the
    processor's "sale") or its refund."""
    return dict(
        id=transaction_id,
        order_id=order["id"],
        amount=order["total_price_paid"],
        transaction_type=kind,
        data=_payment_data(
            rng,
            reference=order["reference_number"],
            amount=order["total_price_paid"],
            email=user["email"],
            name=user["name"],
            when=when,
            transaction_type="sale" if kind == "payment" else kind,
        ),
        transaction_id=str(rng.randrange(10**21, 10**22)),
        reason=reason,
        **stamped(when),
    )


@extends("mitxonline_app")
def _mitxonline_commerce(data: Rows, rng: random.Random) -> Rows:
    content_types = _content_type_rows(
        ("courses", "courserun"), ("courses", "program"), ("ecommerce", "product")
    )
    runs = {r["id"]: r for r in data["courses_courserun"]}
    programs = {p["readable_id"]: p["id"] for p in data.get("courses_program", [])}
    products, versions = [], []
    for run in runs.values():
        price = _money(rng.choice([49, 75, 99, 150]))
        # Distinct timestamps: an incremental sync re-reads only the rows at its cursor value.
        created = run["created_on"] + timedelta(days=1, minutes=run["id"])
        products.append(
            dict(
                id=len(products) + 1,
                price=price,
                description=run["courseware_id"],
                is_active=rng.random() > 0.1,
                object_id=run["id"],
                content_type_id=1,
                created_on=created,
                updated_on=created + timedelta(days=3),
            )
        )
    for i, readable_id in enumerate(MITXONLINE_PROGRAMS, 1):
        created = datetime(2023, 1, 5, i)
        products.append(
            dict(
                id=len(products) + 1,
                price=_money(1000 + 250 * i),
                description=readable_id,
                is_active=True,
                object_id=programs.get(readable_id, i),
                content_type_id=2,
                created_on=created,
                updated_on=created,
            )
        )
    for p in products:
        # Each product has a first version; some had their price changed later.
        for price in [p["price"] * 2, p["price"]] if rng.random() < 0.2 else [p["price"]]:
            fields = {
                "price": f"{price:.2f}",
                "description": p["description"],
                "is_active": p["is_active"],
            }
            versions.append(
                dict(
                    id=len(versions) + 1,
                    object_id=str(p["id"]),
                    content_type_id=3,
                    db="default",
                    format="json",
                    revision_id=len(versions) + 1,
                    object_repr=p["description"],
                    serialized_data=json.dumps(
                        [{"model": "ecommerce.product", "pk": p["id"], "fields": fields}]
                    ),
                )
            )
    current_version = {int(v["object_id"]): v for v in versions}  # the last version wins
    price_of = {
        v["id"]: Decimal(json.loads(v["serialized_data"])[0]["fields"]["price"]) for v in versions
    }
    product_of_run = {p["object_id"]: p for p in products if p["content_type_id"] == 1}
    program_products = [p for p in products if p["content_type_id"] == 2]
    users = {u["id"]: u for u in data["users_user"]}
    discounts = [
        dict(
            id=i,
            amount=_money(amount),
            discount_code=code,
            discount_type=kind,
            redemption_type=redemption,
            max_redemptions=0 if redemption == "unlimited" else 1,
            payment_type=source,
            activation_date=datetime(2023, 1, 1),
            expiration_date=datetime(2026, 1, 1),
            created_on=datetime(2022, 12, i),
            updated_on=datetime(2022, 12, i),
        )
        for i, (code, kind, amount, redemption, source) in enumerate(MITXONLINE_DISCOUNTS, 1)
    ]
    orders, lines, redemptions, transactions = [], [], [], []
    verified = [
        e for e in data["courses_courserunenrollment"] if e["enrollment_mode"] == "verified"
    ]
    purchases = [
        (e["user_id"], product_of_run[e["run_id"]], e["created_on"])
        for e in verified
        if rng.random() < 0.4
    ]
    purchases += [
        (
            rng.choice(list(users)),
            rng.choice(program_products),
            datetime(2023, 3, 1) + timedelta(days=rng.randrange(500)),
        )
        for _ in range(25)
    ]
    for user_id, product, created in purchases:
        oid = len(orders) + 1
        version = current_version[product["id"]]
        price = price_of[version["id"]]
        discount = rng.choice(discounts) if rng.random() < 0.2 else None
        paid = (
            _discounted(price, discount["discount_type"], float(discount["amount"]))
            if discount
            else price
        )
        state = _status(rng, MITXONLINE_ORDER_STATES)
        reference = f"mitxonline-production-{oid}"
        orders.append(
            dict(
                id=oid,
                state=state,
                purchaser_id=user_id,
                reference_number=reference,
                total_price_paid=paid if state in ("fulfilled", "refunded") else _money(0),
                created_on=created,
                updated_on=created + timedelta(minutes=rng.randrange(5, 600)),
            )
        )
        lines.append(
            dict(
                id=len(lines) + 1,
                order_id=oid,
                product_version_id=version["id"],
                purchased_object_id=product["object_id"],
                purchased_content_type_id=product["content_type_id"],
                quantity=1,
                created_on=created,
                updated_on=created,
            )
        )
        if discount:
            redemptions.append(
                dict(
                    id=len(redemptions) + 1,
                    redemption_date=created,
                    redeemed_by_id=user_id,
                    redeemed_order_id=oid,
                    redeemed_discount_id=discount["id"],
                )
            )
        order = orders[-1]
        if state in ("fulfilled", "refunded") and paid > 0:
            when = created + timedelta(minutes=2)
            transactions.append(
                _transaction(rng, len(transactions) + 1, order, users[user_id], "payment", when)
            )
        if state == "refunded" and paid > 0:
            when = created + timedelta(days=rng.randrange(1, 20))
            transactions.append(
                _transaction(
                    rng,
                    len(transactions) + 1,
                    order,
                    users[user_id],
                    "refund",
                    when,
                    reason="Learner requested a refund",
                )
            )
    return {
        "django_content_type": content_types,
        "ecommerce_product": products,
        "reversion_version": versions,
        "ecommerce_order": orders,
        "ecommerce_line": lines,
        "ecommerce_discount": discounts,
        "ecommerce_discountredemption": redemptions,
        "ecommerce_transaction": transactions,
    }


# --- xPRO ----------------------------------------------------------------------------------

_content_types(xpro_md)
table(
    xpro_md,
    "ecommerce_product",
    ("content_type_id", sa.Integer),
    ("object_id", sa.Integer),
    ("is_active", sa.Boolean),
    ("is_private", sa.Boolean),
    *STAMPS,
)
table(
    xpro_md,
    "ecommerce_productversion",
    ("product_id", sa.Integer),
    ("price", PRICE),
    ("description", sa.Text),
    ("text_id", sa.String(255)),
    ("requires_enrollment_code", sa.Boolean),
    *STAMPS,
)
table(
    xpro_md,
    "ecommerce_taxrate",
    ("country_code", sa.String(2)),
    ("tax_rate", sa.Numeric(6, 4)),
    ("tax_rate_name", sa.String(100)),
    ("active", sa.Boolean),
    *STAMPS,
)
_order_table(
    xpro_md,
    "purchaser_id",
    ("tax_country_code", sa.String(2)),
    ("tax_rate", sa.Numeric(6, 4)),
    ("tax_rate_name", sa.String(100)),
)
table(
    xpro_md,
    "ecommerce_line",
    ("order_id", sa.Integer),
    ("product_version_id", sa.Integer),
    ("quantity", sa.Integer),
    *STAMPS,
)
table(
    xpro_md,
    "ecommerce_programrunline",
    ("line_id", sa.Integer),
    ("program_run_id", sa.Integer),
    *STAMPS,
)
_receipt_table(xpro_md)
table(xpro_md, "ecommerce_company", ("name", sa.String(512)), *STAMPS)
table(xpro_md, "ecommerce_couponpayment", ("name", sa.String(256)), *STAMPS)
table(
    xpro_md,
    "ecommerce_couponpaymentversion",
    ("payment_id", sa.Integer),
    ("tag", sa.String(256)),
    ("automatic", sa.Boolean),
    ("coupon_type", sa.String(30)),
    ("num_coupon_codes", sa.Integer),
    ("max_redemptions", sa.Integer),
    ("max_redemptions_per_user", sa.Integer),
    ("amount", sa.Numeric(20, 5)),
    ("discount_type", sa.String(30)),
    ("payment_type", sa.String(128)),
    ("payment_transaction", sa.String(256)),
    ("company_id", sa.Integer),
    ("activation_date", sa.DateTime),
    ("expiration_date", sa.DateTime),
    *STAMPS,
)
table(
    xpro_md,
    "ecommerce_coupon",
    ("coupon_code", sa.String(50)),
    ("payment_id", sa.Integer),
    ("enabled", sa.Boolean),
    ("is_global", sa.Boolean),
    ("include_future_runs", sa.Boolean),
    *STAMPS,
)
table(
    xpro_md,
    "ecommerce_couponversion",
    ("coupon_id", sa.Integer),
    ("payment_version_id", sa.Integer),
    *STAMPS,
)
table(
    xpro_md,
    "ecommerce_couponredemption",
    ("coupon_version_id", sa.Integer),
    ("order_id", sa.Integer),
    *STAMPS,
)
table(
    xpro_md,
    "b2b_ecommerce_b2bcoupon",
    ("name", sa.String(256)),
    ("coupon_code", sa.String(50)),
    ("discount_percent", sa.Numeric(20, 5)),
    ("product_id", sa.Integer),
    ("enabled", sa.Boolean),
    ("reusable", sa.Boolean),
    ("activation_date", sa.DateTime),
    ("expiration_date", sa.DateTime),
    *STAMPS,
)
table(
    xpro_md,
    "b2b_ecommerce_b2border",
    ("status", sa.String(30)),
    ("num_seats", sa.Integer),
    ("email", sa.String(254)),
    ("per_item_price", sa.Numeric(20, 2)),
    ("total_price", sa.Numeric(20, 2)),
    ("unique_id", sa.String(36)),
    ("coupon_id", sa.Integer),
    ("discount", sa.Numeric(20, 2)),
    ("product_version_id", sa.Integer),
    ("coupon_payment_version_id", sa.Integer),
    ("contract_number", sa.String(50)),
    ("program_run_id", sa.Integer),
    *STAMPS,
)
# The payment processor's response to a B2B order paid by card; a B2B coupon used on one.
table(xpro_md, "b2b_ecommerce_b2breceipt", ("order_id", sa.Integer), ("data", sa.Text), *STAMPS)
table(
    xpro_md,
    "b2b_ecommerce_b2bcouponredemption",
    ("order_id", sa.Integer),
    ("coupon_id", sa.Integer),
    *STAMPS,
)

XPRO_PROGRAMS = ["program-v1:xPRO+SysEngx", "program-v1:xPRO+QCx"]
# (payment name, coupon type, discount type, amount, payment type, transaction, company)
XPRO_COUPON_PAYMENTS = [
    ("Spring promo", "promo", "percent-off", "0.20", "marketing", None, None),
    ("Staff access", "single-use", "percent-off", "1.00", "staff", None, 1),
    ("Boeing cohort", "single-use", "percent-off", "1.00", "purchase_order", "PO-88121", 2),
    ("Acme B2B", "single-use", "dollars-off", "500.00", "purchase_order", "PO-90533", 3),
]
XPRO_ORDER_STATUSES = {"fulfilled": 82, "refunded": 6, "failed": 7, "created": 5}
XPRO_COMPANIES = ["MIT Open Learning", "Boeing", "Acme Corp"]
XPRO_TAX = [("US", "0.0000", "No tax"), ("IN", "0.1800", "GST"), ("DE", "0.1900", "VAT")]


@extends("xpro_app")
def _xpro_commerce(data: Rows, rng: random.Random) -> Rows:
    stamp = stamped(datetime(2022, 11, 1))
    content_types = _content_type_rows(("courses", "courserun"), ("courses", "program"))
    programs = {p["readable_id"]: p["id"] for p in data.get("courses_program", [])}
    targets = [
        (1, r["id"], r["courseware_id"], r["title"], r["created_on"])
        for r in data["courses_courserun"]
    ]
    targets += [
        (2, programs.get(rid, i), rid, f"{rid.split('+')[1]} program", datetime(2022, 12, 1))
        for i, rid in enumerate(XPRO_PROGRAMS, 1)
    ]
    products, versions = [], []
    for content_type, object_id, text_id, title, created in targets:
        pid = len(products) + 1
        products.append(
            dict(
                id=pid,
                content_type_id=content_type,
                object_id=object_id,
                is_active=rng.random() > 0.1,
                is_private=rng.random() < 0.1,
                created_on=created,
                updated_on=created + timedelta(days=2),
            )
        )
        base = 2000 + 500 * rng.randrange(6) + (3000 if content_type == 2 else 0)
        # Some products were repriced: a newer version, created later, holds the current price.
        for n, price in enumerate([base + 250, base] if rng.random() < 0.25 else [base]):
            versions.append(
                dict(
                    id=len(versions) + 1,
                    product_id=pid,
                    price=_money(price),
                    description=title,
                    text_id=text_id,
                    requires_enrollment_code=False,
                    created_on=created + timedelta(days=30 * n),
                    updated_on=created + timedelta(days=30 * n),
                )
            )
    current_version = {v["product_id"]: v for v in versions}  # the last version wins
    taxrates = [
        dict(id=i, country_code=c, tax_rate=Decimal(r), tax_rate_name=n, active=True, **stamp)
        for i, (c, r, n) in enumerate(XPRO_TAX, 1)
    ]
    companies = [dict(id=i, name=n, **stamp) for i, n in enumerate(XPRO_COMPANIES, 1)]
    payments, payment_versions, coupons, coupon_versions = [], [], [], []
    for i, (name, ctype, dtype, amount, ptype, txn, company) in enumerate(XPRO_COUPON_PAYMENTS, 1):
        payments.append(dict(id=i, name=name, **stamp))
        payment_versions.append(
            dict(
                id=i,
                payment_id=i,
                tag=None,
                automatic=False,
                coupon_type=ctype,
                num_coupon_codes=1 if ctype == "promo" else 20,
                max_redemptions=1000,
                max_redemptions_per_user=1,
                amount=Decimal(amount),
                discount_type=dtype,
                payment_type=ptype,
                payment_transaction=txn,
                company_id=company,
                activation_date=datetime(2022, 12, 1),
                expiration_date=datetime(2026, 12, 1),
                **stamp,
            )
        )
        for n in range(1 if ctype == "promo" else 5):
            cid = len(coupons) + 1
            code = name.split()[0].upper() + (str(n) if ctype != "promo" else "")
            coupons.append(
                dict(
                    id=cid,
                    coupon_code=code,
                    payment_id=i,
                    enabled=True,
                    is_global=ctype == "promo",
                    include_future_runs=False,
                    **stamp,
                )
            )
            coupon_versions.append(dict(id=cid, coupon_id=cid, payment_version_id=i, **stamp))
    by_run = {p["object_id"]: p for p in products if p["content_type_id"] == 1}
    program_products = [p for p in products if p["content_type_id"] == 2]
    orders, lines, run_lines, receipts, redemptions = [], [], [], [], []
    for enrollment in data["courses_courserunenrollment"]:
        enrollment["order_id"] = None
        if rng.random() > 0.5:
            continue
        is_program = rng.random() < 0.08
        product = rng.choice(program_products) if is_program else by_run[enrollment["run_id"]]
        version = current_version[product["id"]]
        oid = len(orders) + 1
        coupon = rng.choice(coupon_versions) if rng.random() < 0.25 else None
        price = version["price"]
        if coupon:
            pv = payment_versions[coupon["payment_version_id"] - 1]
            off = price * pv["amount"] if pv["discount_type"] == "percent-off" else pv["amount"]
            price = max(Decimal("0.00"), _money(float(price - off)))
        country, rate, rate_name = rng.choice(XPRO_TAX)
        status = _status(rng, XPRO_ORDER_STATUSES)
        created = enrollment["created_on"] - timedelta(minutes=rng.randrange(5, 90))
        orders.append(
            dict(
                id=oid,
                purchaser_id=enrollment["user_id"],
                status=status,
                total_price_paid=price,
                tax_country_code=country,
                tax_rate=Decimal(rate),
                tax_rate_name=rate_name,
                created_on=created,
                updated_on=created + timedelta(minutes=rng.randrange(1, 30)),
            )
        )
        line_id = len(lines) + 1
        lines.append(
            dict(
                id=line_id,
                order_id=oid,
                product_version_id=version["id"],
                quantity=1,
                created_on=created,
                updated_on=created,
            )
        )
        if status in ("fulfilled", "refunded"):
            # The app points the enrollment its fulfilled order created at that order.
            enrollment["order_id"] = oid
        if is_program:
            run_lines.append(
                dict(
                    id=len(run_lines) + 1,
                    line_id=line_id,
                    program_run_id=product["object_id"],
                    created_on=created,
                    updated_on=created,
                )
            )
        if coupon:
            redemptions.append(
                dict(
                    id=len(redemptions) + 1,
                    coupon_version_id=coupon["id"],
                    order_id=oid,
                    created_on=created,
                    updated_on=created,
                )
            )
        if price > 0 and status != "created":
            charged = _money(float(price * (1 + Decimal(rate))))
            user = f"xprouser{enrollment['user_id']}"
            receipts.append(
                _receipt(
                    rng,
                    len(receipts) + 1,
                    oid,
                    status=status,
                    reference=f"xpro-b2c-production-{oid}",
                    amount=charged,
                    email=f"{user}@example.org",
                    name=f"Learner {user}",
                    when=created,
                )
            )
    b2b = [
        dict(
            id=i,
            name=f"B2B seats {i}",
            coupon_code=f"B2B{i:03d}",
            discount_percent=Decimal("1.0"),
            product_id=p["id"],
            enabled=True,
            reusable=False,
            activation_date=datetime(2023, 1, 1),
            expiration_date=datetime(2026, 1, 1),
            **stamp,
        )
        for i, p in enumerate(products[:3], 1)
    ]
    # A company's purchase of seats: the app makes a coupon payment version for it, and the
    # seats' enrollment codes are that version's coupons, redeemed in ordinary orders.
    b2b_orders = []
    seats = current_version[products[0]["id"]]
    for pv in (v for v in payment_versions if v["payment_type"] == "purchase_order"):
        oid = len(b2b_orders) + 1
        b2b_orders.append(
            dict(
                id=oid,
                status="fulfilled",
                num_seats=20,
                email=f"buyer{oid}@example.com",
                per_item_price=seats["price"],
                total_price=seats["price"] * 20,
                unique_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"xpro-b2b-order-{oid}")),
                coupon_id=b2b[0]["id"] if oid == 1 else None,  # paid with a B2B coupon
                discount=None,
                product_version_id=seats["id"],
                coupon_payment_version_id=pv["id"],
                contract_number=pv["payment_transaction"],
                program_run_id=None,
                created_on=pv["created_on"],
                updated_on=pv["updated_on"],
            )
        )
    # Two purchases no ordinary order reaches: seats bought by card whose codes nobody has
    # redeemed yet (their payment version is in no order), and a purchase not paid yet.
    acme = next(c["id"] for c in companies if c["name"] == "Acme Corp")
    bought = datetime(2024, 9, 2)
    payments.append(dict(id=len(payments) + 1, name="Acme seats by card", **stamp))
    payment_versions.append(
        {
            **next(v for v in payment_versions if v["company_id"] == acme),
            "id": len(payment_versions) + 1,
            "payment_id": len(payments),
            "num_coupon_codes": 10,
            "payment_type": "sales",
            "payment_transaction": None,
            **stamped(bought),
        }
    )
    for status, version, seats in (
        ("fulfilled", payment_versions[-1]["id"], 10),
        ("created", None, 5),
    ):
        oid = len(b2b_orders) + 1
        seat = current_version[products[oid - 2]["id"]]
        b2b_orders.append(
            dict(
                id=oid,
                status=status,
                num_seats=seats,
                email=f"buyer{oid}@example.com",
                per_item_price=seat["price"],
                total_price=seat["price"] * seats,
                unique_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"xpro-b2b-order-{oid}")),
                coupon_id=None,
                discount=None,
                product_version_id=seat["id"],
                coupon_payment_version_id=version,
                contract_number=None,
                program_run_id=None,
                **stamped(bought + timedelta(days=oid)),
            )
        )
    card_paid = [o for o in b2b_orders if o["status"] == "fulfilled" and not o["contract_number"]]
    b2b_receipts = [
        _receipt(
            rng,
            i,
            order["id"],
            status=order["status"],
            reference=f"xpro-b2b-production-{order['id']}",
            amount=order["total_price"],
            email=order["email"],
            name=f"Buyer {order['id']}",
            when=order["created_on"],
        )
        for i, order in enumerate(card_paid, 1)
    ]
    b2b_redemptions = [
        dict(id=i, order_id=o["id"], coupon_id=o["coupon_id"], **stamped(o["created_on"]))
        for i, o in enumerate((o for o in b2b_orders if o["coupon_id"]), 1)
    ]
    return {
        "courses_courserunenrollment": data["courses_courserunenrollment"],
        "django_content_type": content_types,
        "ecommerce_product": products,
        "ecommerce_productversion": versions,
        "ecommerce_taxrate": taxrates,
        "ecommerce_order": orders,
        "ecommerce_line": lines,
        "ecommerce_programrunline": run_lines,
        "ecommerce_receipt": receipts,
        "ecommerce_company": companies,
        "ecommerce_couponpayment": payments,
        "ecommerce_couponpaymentversion": payment_versions,
        "ecommerce_coupon": coupons,
        "ecommerce_couponversion": coupon_versions,
        "ecommerce_couponredemption": redemptions,
        "b2b_ecommerce_b2bcoupon": b2b,
        "b2b_ecommerce_b2border": b2b_orders,
        "b2b_ecommerce_b2breceipt": b2b_receipts,
        "b2b_ecommerce_b2bcouponredemption": b2b_redemptions,
    }


# --- MicroMasters --------------------------------------------------------------------------

_order_table(micromasters_md, "user_id", ("reference_number", sa.String(255)), names=MM_STAMPS)
_seat_line_table(micromasters_md, ("course_key", sa.Text), names=MM_STAMPS)
_receipt_table(micromasters_md, names=MM_STAMPS)
table(
    micromasters_md,
    "ecommerce_coupon",
    ("coupon_code", sa.Text),
    ("coupon_type", sa.String(30)),
    ("amount_type", sa.String(30)),
    ("amount", sa.Numeric(20, 5)),
    ("content_type_id", sa.Integer),
    ("object_id", sa.Integer),
    ("enabled", sa.Boolean),
    ("invoice_id", sa.Integer),
    ("activation_date", sa.DateTime),
    ("expiration_date", sa.DateTime),
    *STAMPS,
)
table(
    micromasters_md,
    "ecommerce_redeemedcoupon",
    ("order_id", sa.Integer),
    ("coupon_id", sa.Integer),
    *STAMPS,
)
MM_ORDER_STATUSES = {"fulfilled": 85, "refunded": 4, "failed": 6, "created": 5}
MM_COUPONS = [
    ("MMSTANDARD25", "standard", "percent-discount", "0.25"),
    ("MMFIXED100", "standard", "fixed-discount", "100"),
    ("MMFINAID", "discounted-previous-course", "fixed-price", "25"),
]


@extends("micromasters_app")
def _micromasters_commerce(data: Rows, rng: random.Random) -> Rows:
    # The learners: MicroMasters accounts when a module generated them, else their id range.
    user_ids = [u["id"] for u in data.get("auth_user", [])] or list(range(1, 301))
    coupons = [
        dict(
            id=i,
            coupon_code=code,
            coupon_type=ctype,
            amount_type=atype,
            amount=Decimal(amount),
            content_type_id=None,
            object_id=None,
            enabled=True,
            invoice_id=None,
            activation_date=datetime(2022, 6, 1),
            expiration_date=datetime(2026, 6, 1),
            created_on=datetime(2022, 6, 1),
            updated_on=datetime(2022, 6, 1),
        )
        for i, (code, ctype, atype, amount) in enumerate(MM_COUPONS, 1)
    ]
    orders, lines, receipts, redeemed = [], [], [], []
    for run in data["courses_courserun"]:
        for user_id in rng.sample(user_ids, 6):
            oid = len(orders) + 1
            price = _money(rng.choice([150, 300]))
            coupon = rng.choice(coupons) if rng.random() < 0.2 else None
            paid = price
            if coupon:
                amount = coupon["amount"]
                paid = {
                    "percent-discount": _money(float(price * (1 - amount))),
                    "fixed-discount": max(Decimal("0.00"), price - amount),
                    "fixed-price": _money(float(amount)),
                }[coupon["amount_type"]]
            status = _status(rng, MM_ORDER_STATUSES)
            created = run["start_date"] + timedelta(days=rng.randrange(1, 50), minutes=oid)
            reference = f"MM-prod-{oid}"
            orders.append(
                dict(
                    id=oid,
                    user_id=user_id,
                    status=status,
                    total_price_paid=paid,
                    reference_number=reference,
                    created_at=created,
                    modified_at=created + timedelta(minutes=3),
                )
            )
            lines.append(
                _seat_line(
                    oid,
                    ("course_key", run["edx_course_key"]),
                    price,
                    f"Seat for {run['title']}",
                    created,
                    names=MM_STAMPS,
                )
            )
            if coupon:
                redeemed.append(
                    dict(
                        id=len(redeemed) + 1,
                        order_id=oid,
                        coupon_id=coupon["id"],
                        created_on=created,
                        updated_on=created,
                    )
                )
            if status != "created" and paid > 0:
                receipts.append(
                    _receipt(
                        rng,
                        len(receipts) + 1,
                        oid,
                        status=status,
                        reference=reference,
                        amount=paid,
                        email=f"mmlearner{user_id}@example.org",
                        name=f"Learner {user_id}",
                        when=created,
                        names=MM_STAMPS,
                    )
                )
    return {
        "ecommerce_order": orders,
        "ecommerce_line": lines,
        "ecommerce_receipt": receipts,
        "ecommerce_coupon": coupons,
        "ecommerce_redeemedcoupon": redeemed,
    }


# --- Bootcamps -----------------------------------------------------------------------------

_order_table(
    bootcamps_md, "user_id", ("application_id", sa.Integer), ("payment_type", sa.String(30))
)
_seat_line_table(bootcamps_md, ("bootcamp_run_id", sa.Integer))
_receipt_table(bootcamps_md)
BOOTCAMPS_ORDER_STATUSES = {"fulfilled": 88, "refunded": 4, "failed": 8}


@extends("bootcamps_app")
def _bootcamps_commerce(data: Rows, rng: random.Random) -> Rows:
    runs = {r["id"]: r for r in data["klasses_bootcamprun"]}
    orders, lines, receipts = [], [], []
    for enrollment in data["klasses_bootcamprunenrollment"]:
        # Bootcamp tuition is paid in installments: one order per payment.
        for _ in range(rng.choice([1, 1, 2])):
            oid = len(orders) + 1
            price = _money(rng.choice([1000, 2500, 4000]))
            status = _status(rng, BOOTCAMPS_ORDER_STATUSES)
            created = enrollment["created_on"] + timedelta(days=rng.randrange(0, 40), minutes=oid)
            orders.append(
                dict(
                    id=oid,
                    user_id=enrollment["user_id"],
                    status=status,
                    total_price_paid=price,
                    application_id=enrollment["id"],
                    payment_type=rng.choice(["cybersource", "wiretransfer"]),
                    created_on=created,
                    updated_on=created + timedelta(minutes=2),
                )
            )
            run = runs[enrollment["bootcamp_run_id"]]
            lines.append(
                _seat_line(oid, ("bootcamp_run_id", run["id"]), price, run["title"], created)
            )
            receipts.append(
                _receipt(
                    rng,
                    len(receipts) + 1,
                    oid,
                    status=status,
                    reference=f"BOOTCAMP-prod-{oid}",
                    amount=price,
                    email=f"bootcampuser{enrollment['user_id']}@example.org",
                    name=f"Learner {enrollment['user_id']}",
                    when=created,
                )
            )
    return {"ecommerce_order": orders, "ecommerce_line": lines, "ecommerce_receipt": receipts}
