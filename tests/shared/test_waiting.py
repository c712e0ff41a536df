"""hrss_shared.waiting: the Prefer: wait header at its edges, entity tags, and the in-process change signal."""

from __future__ import annotations

import asyncio

import pytest

from hrss_shared.waiting import MAX_WAIT, ChangeSignal, etag_of, none_match, preferred_wait, until_changed


@pytest.mark.parametrize(("values", "seconds"), [
    (["wait=10"], 10.0),
    (["respond-async, wait=10"], 10.0),
    (["wait=10; foo=bar"], 10.0),
    (['wait="5"'], 5.0),
    (["WAIT = 7"], 7.0),
    (["handling=lenient", "wait=3"], 3.0),
    (["wait=0"], 0.0),
    ([f"wait={int(MAX_WAIT) - 1}"], MAX_WAIT - 1),  # the edge: below, on and above the longest wait
    ([f"wait={int(MAX_WAIT)}"], MAX_WAIT),
    ([f"wait={int(MAX_WAIT) + 1}"], MAX_WAIT),
    (["wait=999999999"], MAX_WAIT),
])
def test_wait_preference_read_and_cut_to_the_longest(values: list[str], seconds: float) -> None:
    assert preferred_wait(values) == seconds


@pytest.mark.parametrize("values", [[], [""], ["respond-async"], ["wait="], ["wait=soon"], ["wait=-1"],
                                    ["wait=1.5"], ["wait=1e3"], ["waiting=5"], ["wait=10000000000"]])
def test_unreadable_wait_preference_is_ignored(values: list[str]) -> None:
    assert preferred_wait(values) is None


def test_entity_tags_compare_weakly_and_star_matches() -> None:
    tag = etag_of(b'{"a":1}')
    assert tag == etag_of(b'{"a":1}') and tag != etag_of(b'{"a":2}')
    assert tag.startswith('"') and tag.endswith('"')
    assert none_match(tag, tag)
    assert none_match(f"W/{tag}", tag)
    assert none_match(f'"other", {tag}', tag)
    assert none_match("*", tag)
    assert not none_match(None, tag)
    assert not none_match('"other"', tag)
    assert not none_match(tag.strip('"'), tag)  # an unquoted tag is not the tag


async def test_notify_wakes_the_watchers_of_its_keys_only() -> None:
    signal = ChangeSignal()
    with signal.watch("a") as a1, signal.watch("a") as a2, signal.watch("b") as b:
        assert signal.watched == 2
        signal.notify(["a", "c"])
        assert a1.is_set() and a2.is_set() and not b.is_set()
        with signal.watch("a") as again:  # a new watch after the notice waits for the next one
            assert not again.is_set()
            signal.notify({"a"})
            assert again.is_set()
    assert signal.watched == 0


async def test_a_watch_left_without_notice_leaves_nothing_behind() -> None:
    signal = ChangeSignal()
    with signal.watch("a") as changed:
        await until_changed(changed, 0.01)
        assert not changed.is_set()
    assert signal.watched == 0
    signal.notify(["a"])  # nobody waits: nothing happens


async def test_until_changed_returns_when_notified() -> None:
    signal = ChangeSignal()
    with signal.watch("a") as changed:
        waiter = asyncio.create_task(until_changed(changed, 10))
        await asyncio.sleep(0)
        signal.notify(["a"])
        await asyncio.wait_for(waiter, 5)
        assert changed.is_set()  # woken by the notice, not by the re-read interval
