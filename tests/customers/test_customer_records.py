"""Customer records on SQLite and PostgreSQL: CSV import with bad rows, masked reads with exactly
one audit row per unmasked read, the caller lookup index in a real Redis."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from customers.audit import AuditError, audit_rows
from customers.caller_index import lookup_caller, rebuild_caller_index
from customers.masking import Viewer
from customers.records import CustomerRecord, FieldError
from customers.records_store import (
    get_customer,
    import_customers_csv,
    read_customers,
    save_customer,
)
from store.models.core import Customer
from store.models.customers import AuditEntry, CustomerPhone

NOW = datetime(2026, 11, 16, 2, 0, tzinfo=UTC)

CSV = """\
customer_id,name,tier,phones,email,account_manager,do_not_call,call_from,call_until,call_days,timezone,notes
c1,张三,vip,13812345678;+86 21 6123 4567,zhang@example.com,a1,no,09:00,20:00,12345,,likes tea
c2,Li Si,key_account,139 0000 1111,,,yes,,,,,
c3,Wang,platinum,13700001111,,,,,,,,
c4,Zhao,ordinary,12,,,,,,,,
c5,"Qian, Sun",ordinary,13600002222,qian@example.com,,maybe,,,,,
c1,Duplicate,ordinary,13500003333,,,,,,,,
c6,Zhou,ordinary,13812345678,,,,,,,,
c7,Wu,ordinary,+12125550123,wu@example.com,,,08:00,,,,
c8,Zheng,ordinary,13500004444,,,,,,,Mars/Olympus,
c9,Feng,,15000005555,feng@example.com,,,,,,,"multi
line note"
"""


async def test_csv_import_reports_bad_rows_and_imports_the_rest(engine, redis, prefix) -> None:
    report = await import_customers_csv(
        engine, CSV, region="CN", default_tz="UTC", now=NOW, redis=redis, prefix=prefix
    )
    bad = [(e.line, e.field) for e in report.errors]
    assert bad == [
        (4, "tier"),
        (5, "phones"),
        (6, "do_not_call"),
        (7, "customer_id"),  # c1 again
        (8, "phones"),  # c1's number again
        (9, "call_until"),  # call_from without call_until
        (10, "timezone"),
    ]
    assert report.imported == 3
    assert report.lines_read == 12  # the quoted note spans two lines
    async with engine.connect() as conn:
        ids = (
            (await conn.execute(select(Customer.customer_id).order_by(Customer.customer_id)))
            .scalars()
            .all()
        )
        phones = (
            (await conn.execute(select(CustomerPhone.e164).order_by(CustomerPhone.e164)))
            .scalars()
            .all()
        )
        c1 = (
            (await conn.execute(select(Customer.__table__).where(Customer.customer_id == "c1")))
            .mappings()
            .one()
        )
    assert ids == ["c1", "c2", "c9"]
    assert phones == sorted(["+862161234567", "+8613812345678", "+8613900001111", "+8615000005555"])
    assert c1["phone"] == "+8613812345678" and c1["tier"] == "vip"
    assert c1["call_days"] == "12345" and c1["timezone"] == "Asia/Shanghai"  # from the number
    assert await lookup_caller(redis, prefix, "13812345678") == ("c1", "vip")
    assert await lookup_caller(redis, prefix, "+86 21 6123 4567") == ("c1", "vip")
    assert await lookup_caller(redis, prefix, "008613900001111") == ("c2", "key_account")
    assert await lookup_caller(redis, prefix, "13700001111") is None  # bad row: not imported
    assert await lookup_caller(redis, prefix, "not a number") is None


async def test_number_of_another_customer_is_a_bad_row(engine, redis, prefix) -> None:
    await import_customers_csv(
        engine,
        "customer_id,name,phones\nc1,A,13812345678\n",
        region="CN",
        default_tz="UTC",
        now=NOW,
        redis=redis,
        prefix=prefix,
    )
    report = await import_customers_csv(
        engine,
        "customer_id,name,phones,tier\nc2,B,13812345678,vip\nc1,A2,13812345678;13900001111,vip\n",
        region="CN",
        default_tz="UTC",
        now=NOW,
        redis=redis,
        prefix=prefix,
    )
    assert [(e.line, e.field, e.message) for e in report.errors] == [
        (2, "phones", "belongs to customer c1")
    ]
    assert report.imported == 1  # c1 updated: new tier, second number
    assert await lookup_caller(redis, prefix, "13900001111") == ("c1", "vip")
    assert await lookup_caller(redis, prefix, "13812345678") == ("c1", "vip")


async def test_missing_column_rejects_the_file(engine) -> None:
    report = await import_customers_csv(
        engine, "customer_id,name\nc1,A\n", region="CN", default_tz="UTC", now=NOW
    )
    assert report.imported == 0
    assert [(e.line, e.field) for e in report.errors] == [(1, "phones")]


async def test_index_follows_changes_and_rebuilds(engine, redis, prefix) -> None:
    rec = CustomerRecord("c1", "A", ("+8613812345678", "+8613900001111"), tier="ordinary")
    await save_customer(engine, rec, now=NOW, default_tz="UTC", redis=redis, prefix=prefix)
    moved = CustomerRecord("c1", "A", ("+8613900001111",), tier="vip")
    await save_customer(engine, moved, now=NOW, default_tz="UTC", redis=redis, prefix=prefix)
    assert await lookup_caller(redis, prefix, "+8613812345678") is None
    assert await lookup_caller(redis, prefix, "+8613900001111") == ("c1", "vip")
    with pytest.raises(FieldError, match="belongs to customer c1"):
        await save_customer(
            engine, CustomerRecord("c2", "B", ("+8613900001111",)), now=NOW, default_tz="UTC"
        )
    await redis.delete(f"{prefix}:customers:phones")
    assert await rebuild_caller_index(engine, redis, prefix) == 1
    assert await lookup_caller(redis, prefix, "13900001111") == ("c1", "vip")


async def _audit_count(engine) -> int:
    async with engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(AuditEntry)))


async def test_unmasked_read_writes_exactly_one_audit_row(engine) -> None:
    rec = CustomerRecord(
        "c1",
        "张三",
        ("+8613812345678", "+862161234567"),
        tier="vip",
        email="zhang@example.com",
        notes="likes tea; new mobile 139 0000 1111",
        account_manager="a7",
    )
    await save_customer(engine, rec, now=NOW, default_tz="UTC")

    # masked reads write nothing
    qa = await get_customer(engine, "c1", Viewer("q1", "qa"), reason="evaluation", now=NOW)
    assert qa is not None
    assert qa.phones == ("+86 138****5678", "+86 216***4567")
    assert qa.name == "张*" and qa.email == "z***@example.com" and qa.notes == "[hidden]"
    assert qa.unmasked == frozenset()
    assert await _audit_count(engine) == 0

    # an agent sees name and notes unmasked (audited), the numbers masked, in the notes too
    agent = await get_customer(
        engine, "c1", Viewer("u-a1", "agent", "a1"), reason="call c-9", now=NOW
    )
    assert agent is not None and agent.name == "张三" and agent.phones[0] == "+86 138****5678"
    assert agent.notes == "likes tea; new mobile *********11"
    assert await _audit_count(engine) == 1

    # a supervisor sees everything: one more row, naming who, what, when and why
    sup = await get_customer(
        engine, "c1", Viewer("boss", "supervisor"), reason="complaint CMP-1", now=NOW
    )
    assert sup is not None and sup.phones == ("+8613812345678", "+862161234567")
    assert sup.notes == "likes tea; new mobile 139 0000 1111"
    assert await _audit_count(engine) == 2
    async with engine.connect() as conn:
        rows = await audit_rows(conn, entity_id="c1", actor="boss")
    assert len(rows) == 1
    row = rows[0]
    assert (row["actor"], row["role"], row["entity"], row["entity_id"]) == (
        "boss",
        "supervisor",
        "customer",
        "c1",
    )
    assert row["fields"] == "email,name,notes,phone"
    assert row["reason"] == "complaint CMP-1" and row["at"] == NOW

    # lookup by number, by the account manager: unmasked number, one row
    found = await read_customers(
        engine,
        Viewer("u-a7", "agent", "a7"),
        reason="incoming call",
        now=NOW,
        number="021 6123 4567",
    )
    assert [v.customer_id for v in found] == ["c1"] and found[0].phones[0] == "+8613812345678"
    assert await _audit_count(engine) == 3

    # no reason, no unmasked read, and no row
    with pytest.raises(AuditError, match="reason"):
        await get_customer(engine, "c1", Viewer("boss", "supervisor"), reason=" ", now=NOW)
    assert await _audit_count(engine) == 3
