"""Load the synthetic city through each service's own bulk paths (``hrss demo-data``).

Order: every service's employers first, then chunk by chunk of people: employment, social insurance, training,
labour relations (``SERVICE_ORDER``), then each module's ``final_batches(city)`` where it has one (rows that need
all people first: the year's contributions, grouped by employer across the whole city). One pooled HTTP client; one
request in flight per service at a time, the services side by side (each service's rows carry what the service
needs, so none waits for another's events). The next chunk is generated while the current one is being sent. A
service whose city module is not there is left out. Every request answers a :class:`hrss_shared.bulk.BulkReport`;
the totals per service and kind are summed from them. A request answered with anything but 200 stops the load
(:class:`LoadError`): the chunks before it are in, and running the same load again skips them.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import httpx
from tqdm import tqdm

from hrss_cli.city import Batch, City, Person

# The services in loading order, with the module of this package that builds each one's rows.
SERVICE_ORDER = {"employment": "employment", "social-insurance": "social_insurance", "training": "training",
                 "labour-relations": "labour_relations"}
REQUEST_TIMEOUT = 600.0  # seconds: a bulk request of 10,000 rows on a busy machine


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


def city_modules() -> dict[str, ModuleType]:
    """The city modules present, by service, in loading order (a service whose module is missing is left out)."""
    found = {}
    for service, module in SERVICE_ORDER.items():
        name = f"hrss_cli.city.{module}"
        try:
            found[service] = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return found


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


async def _send_all(client: httpx.AsyncClient, urls: dict[str, str], totals: dict[str, BulkCounts],
                    by_service: dict[str, list[Batch]]) -> None:
    """Every service's batches, the services side by side; the first failure stops the others."""
    tasks = [asyncio.create_task(_send(client, urls, totals, batches)) for batches in by_service.values()]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _by_service(batches: Iterator[Batch]) -> dict[str, list[Batch]]:
    grouped: dict[str, list[Batch]] = {}
    for batch in batches:
        grouped.setdefault(batch.service, []).append(batch)
    return grouped


async def load_city(city: City, urls: dict[str, str], token: str, *, chunk_size: int = 10_000,
                    progress: bool = True, modules: dict[str, ModuleType] | None = None,
                    transport: httpx.AsyncBaseTransport | None = None) -> dict[str, BulkCounts]:
    """:func:`load` in a running event loop, for ``city``; ``modules`` (default: :func:`city_modules`) and
    ``transport`` (default: the network) let a test load in-process services."""
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    modules = city_modules() if modules is None else modules
    missing = [service for service in modules if service not in urls]
    if missing:
        raise ValueError(f"no URL for {', '.join(missing)}")
    totals: dict[str, BulkCounts] = {service: BulkCounts() for service in modules}
    people = city.people(chunk_size)

    def prepare() -> tuple[list[Person], dict[str, list[Batch]]] | None:
        """The next chunk of people and each service's batches for it (in a worker thread, while the previous
        chunk is sent)."""
        chunk = next(people, None)
        if chunk is None:
            return None
        grouped: dict[str, list[Batch]] = {}
        for module in modules.values():
            for service, batches in _by_service(module.person_batches(city, chunk)).items():
                grouped.setdefault(service, []).extend(batches)
        return chunk, grouped

    limits = httpx.Limits(max_connections=2 * len(SERVICE_ORDER), max_keepalive_connections=2 * len(SERVICE_ORDER))
    headers = {"Authorization": f"Bearer {token}"}
    with tqdm(total=city.persons, unit="persons", disable=not progress, desc="city") as bar:
        async with httpx.AsyncClient(headers=headers, timeout=REQUEST_TIMEOUT, limits=limits,
                                     transport=transport) as client:
            employers: dict[str, list[Batch]] = {}
            for module in modules.values():
                for service, batches in _by_service(module.employer_batches(city)).items():
                    employers.setdefault(service, []).extend(batches)
            await _send_all(client, urls, totals, employers)
            upcoming = asyncio.create_task(asyncio.to_thread(prepare))
            while (ready := await upcoming) is not None:
                chunk, grouped = ready
                upcoming = asyncio.create_task(asyncio.to_thread(prepare))
                try:
                    await _send_all(client, urls, totals, grouped)
                except BaseException:
                    await asyncio.gather(upcoming, return_exceptions=True)
                    raise
                bar.update(len(chunk))
            await _send_final(client, urls, totals, city, modules, progress)
    return totals


async def _send_final(client: httpx.AsyncClient, urls: dict[str, str], totals: dict[str, BulkCounts],
                      city: City, modules: dict[str, ModuleType], progress: bool) -> None:
    """Every module's ``final_batches(city)`` (rows that need all people first, e.g. contributions grouped by
    employer across the city), the services side by side, each one's batches in order; the next batch of a
    service is built in a worker thread while its current one is sent."""
    finals = [(service, module.final_batches) for service, module in modules.items()
              if hasattr(module, "final_batches")]
    if not finals:
        return

    async def one(service: str, batches: Iterator[Batch], bar: tqdm[Any]) -> None:
        upcoming = asyncio.create_task(asyncio.to_thread(next, batches, None))
        try:
            while (batch := await upcoming) is not None:
                upcoming = asyncio.create_task(asyncio.to_thread(next, batches, None))
                await _send(client, urls, totals, [batch])
                bar.update(len(batch.rows))
        finally:
            await asyncio.gather(upcoming, return_exceptions=True)

    with tqdm(unit="rows", disable=not progress, desc="final") as bar:
        tasks = [asyncio.create_task(one(service, final(city), bar)) for service, final in finals]
        try:
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


def load(urls: dict[str, str], token: str, persons: int, seed: int, chunk_size: int = 10_000,
         progress: bool = True, services: Collection[str] | None = None) -> dict[str, BulkCounts]:
    """Build the city of ``persons`` people for ``seed`` and load it into the services at ``urls`` (service name
    → base URL), only into ``services`` when given; the totals per service. Raises :class:`LoadError` when a
    request fails."""
    modules = city_modules()
    if services is not None:
        unknown = sorted(set(services) - set(modules))
        if unknown:
            raise ValueError(f"no city module for {', '.join(unknown)} (there are: {', '.join(modules)})")
        modules = {service: module for service, module in modules.items() if service in services}
    return asyncio.run(load_city(City(persons=persons, seed=seed), urls, token, chunk_size=chunk_size,
                                 progress=progress, modules=modules))
