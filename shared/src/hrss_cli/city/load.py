"""Load the synthetic city through each service's own bulk paths (``hrss demo-data``).

Order: every service's employers first, then chunk by chunk of people: employment, social insurance, training,
labour relations (``SERVICE_ORDER``), then each module's ``final_batches(city)`` where it has one (rows that need
all people first: the year's contributions, grouped by employer across the whole city). One pooled HTTP client; one
request in flight per service at a time, the services side by side (each service's rows carry what the service
needs, so none waits for another's events). The next chunk is generated while the current one is being sent. Every
request answers a :class:`hrss_shared.bulk.BulkReport`;
the totals per service and kind are summed from them. A request answered with anything but 200 stops the load
(:class:`LoadError`): the chunks before it are in, and running the same load again skips them.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncGenerator, Awaitable, Collection, Iterable, Iterator, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, TypeVar

import httpx
from tqdm import tqdm

from hrss_cli.city import Batch, City, Person, employment, labour_relations, social_insurance, training

# The services in loading order, with the module of this package that builds each one's rows.
MODULES: dict[str, ModuleType] = {"employment": employment, "social-insurance": social_insurance,
                                  "training": training, "labour-relations": labour_relations}
REQUEST_TIMEOUT = 600.0  # seconds: a bulk request of 10,000 rows on a busy machine
T = TypeVar("T")


class LoadError(RuntimeError):
    """A bulk request failed: the service, the path and the problem the service answered."""

    def __init__(self, service: str, path: str, status: int, detail: str) -> None:
        super().__init__(f"{service} POST {path} answered {status}: {detail}")
        self.service, self.path, self.status, self.detail = service, path, status, detail


@dataclass
class Counts:
    """Rows of one kind: received, written, skipped (already there), refused by a rule; events published."""

    received: int = 0
    written: int = 0
    skipped: int = 0
    refused: int = 0
    events: int = 0

    def add(self, other: Counts) -> None:
        self.received += other.received
        self.written += other.written
        self.skipped += other.skipped
        self.refused += other.refused
        self.events += other.events


@dataclass
class BulkCounts:
    """One service's totals, per kind of row (``employers``, ``job-seekers`` …)."""

    kinds: dict[str, Counts] = field(default_factory=dict)
    refusals: list[str] = field(default_factory=list)  # the first few refusal reasons, to show

    @property
    def total(self) -> Counts:
        total = Counts()
        for counts in self.kinds.values():
            total.add(counts)
        return total

    def add(self, report: dict[str, Any]) -> None:
        refused = report.get("refused") or []
        self.kinds.setdefault(str(report["kind"]), Counts()).add(Counts(
            received=int(report["received"]), written=int(report["written"]), skipped=int(report["skipped"]),
            refused=len(refused), events=int(report["events"])))
        for item in refused[:max(0, 10 - len(self.refusals))]:
            self.refusals.append(f"{report['kind']} row {item.get('row')}: {item.get('reason')}")

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {kind: vars(counts) for kind, counts in self.kinds.items()}


def _problem(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:2000]
    if isinstance(body, dict):
        detail = str(body.get("detail") or body.get("title") or body)
        errors = body.get("errors")
        return f"{detail} {errors}" if errors else detail
    return str(body)[:2000]


async def _send(client: httpx.AsyncClient, urls: dict[str, str], totals: dict[str, BulkCounts],
                batches: Sequence[Batch]) -> None:
    """One service's batches, one request at a time, in order."""
    for batch in batches:
        if not batch.rows:
            continue
        if batch.service not in urls:
            raise LoadError(batch.service, batch.path, 0, "no URL for this service")
        response = await client.post(urls[batch.service].rstrip("/") + batch.path, json={"rows": batch.rows})
        if response.status_code != 200:
            raise LoadError(batch.service, batch.path, response.status_code, _problem(response))
        totals.setdefault(batch.service, BulkCounts()).add(response.json())


async def _side_by_side(work: Iterable[Awaitable[None]]) -> None:
    """Run ``work`` concurrently (one per service); the first failure cancels the others."""
    tasks = [asyncio.ensure_future(w) for w in work]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _ahead(items: Iterator[T]) -> AsyncGenerator[T, None]:
    """``items``, the next one made in a worker thread while the caller works on the current one."""
    upcoming = asyncio.create_task(asyncio.to_thread(next, items, None))
    try:
        while (item := await upcoming) is not None:
            upcoming = asyncio.create_task(asyncio.to_thread(next, items, None))
            yield item
    finally:
        await asyncio.gather(upcoming, return_exceptions=True)  # the thread finishes before the iterator is left


def _by_service(batches: Iterable[Batch]) -> dict[str, list[Batch]]:
    grouped: dict[str, list[Batch]] = {}
    for batch in batches:
        grouped.setdefault(batch.service, []).append(batch)
    return grouped


async def load_city(city: City, urls: dict[str, str], token: str, *, chunk_size: int = 10_000,
                    progress: bool = True, modules: dict[str, ModuleType] | None = None,
                    transport: httpx.AsyncBaseTransport | None = None) -> dict[str, BulkCounts]:
    """:func:`load` in a running event loop, for ``city``; ``modules`` (default: :data:`MODULES`) and ``transport``
    (default: the network) let a test load in-process services."""
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    modules = MODULES if modules is None else modules
    missing = [service for service in modules if service not in urls]
    if missing:
        raise ValueError(f"no URL for {', '.join(missing)}")
    totals: dict[str, BulkCounts] = {service: BulkCounts() for service in modules}

    def prepare(chunk: list[Person]) -> tuple[list[Person], dict[str, list[Batch]]]:
        """A chunk of people and each service's batches for it."""
        return chunk, _by_service(itertools.chain.from_iterable(
            module.person_batches(city, chunk) for module in modules.values()))

    async def send_in_turn(batches: Iterator[Batch], bar: tqdm[Any]) -> None:
        async with aclosing(_ahead(batches)) as ahead:
            async for batch in ahead:
                await _send(client, urls, totals, [batch])
                bar.update(len(batch.rows))

    limits = httpx.Limits(max_connections=2 * len(MODULES), max_keepalive_connections=2 * len(MODULES))
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(headers=headers, timeout=REQUEST_TIMEOUT, limits=limits,
                                 transport=transport) as client:
        employers = _by_service(itertools.chain.from_iterable(
            module.employer_batches(city) for module in modules.values()))
        await _side_by_side(_send(client, urls, totals, batches) for batches in employers.values())
        with tqdm(total=city.persons, unit="persons", disable=not progress, desc="city") as bar:
            async with aclosing(_ahead(map(prepare, city.people(chunk_size)))) as chunks:
                async for chunk, grouped in chunks:
                    await _side_by_side(_send(client, urls, totals, batches) for batches in grouped.values())
                    bar.update(len(chunk))
        # Rows that need all people first (the contributions, grouped by employer across the city), each service's
        # in turn, the services side by side.
        finals = [module.final_batches(city) for module in modules.values() if hasattr(module, "final_batches")]
        with tqdm(unit="rows", disable=not progress or not finals, desc="final") as bar:
            await _side_by_side(send_in_turn(batches, bar) for batches in finals)
    return totals


def load(urls: dict[str, str], token: str, persons: int, seed: int, chunk_size: int = 10_000,
         progress: bool = True, services: Collection[str] | None = None) -> dict[str, BulkCounts]:
    """Build the city of ``persons`` people for ``seed`` and load it into the services at ``urls`` (service name
    → base URL), only into ``services`` when given; the totals per service. Raises :class:`LoadError` when a
    request fails."""
    modules = MODULES
    if services is not None:
        unknown = sorted(set(services) - set(modules))
        if unknown:
            raise ValueError(f"no city module for {', '.join(unknown)} (there are: {', '.join(modules)})")
        modules = {service: module for service, module in modules.items() if service in services}
    return asyncio.run(load_city(City(persons=persons, seed=seed), urls, token, chunk_size=chunk_size,
                                 progress=progress, modules=modules))
