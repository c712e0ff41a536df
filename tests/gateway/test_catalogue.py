"""The event catalogue a person reads: /asyncapi renders every topic and every contract (with its data fields) from
the merged AsyncAPI document, and the gateway's docs link each service's docs and catalogue."""

from __future__ import annotations

from pathlib import Path

from gateway.main import create_app
from hrss_contracts import contracts_of
from hrss_shared.registry import GATEWAY, SERVICES, TOPICS
from tests.gateway.conftest import gateway_settings
from tests.support import InProcessService


async def test_the_catalogue_page_shows_every_topic_and_event_with_its_fields(tmp_path: Path) -> None:
    urls = {name: f"http://svc-{name}:9" for name in SERVICES if name != GATEWAY.name}
    async with InProcessService(create_app, gateway_settings(tmp_path, service_urls=urls)) as gateway:
        page = await gateway.client.get("/asyncapi")
        document = (await gateway.client.get("/asyncapi.json")).json()
        openapi = (await gateway.client.get("/openapi.json")).json()
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "<script" not in html and "http" not in html.split("<nav>")[0]  # no external asset: works offline
    for topic in TOPICS:
        assert f"<h2 id='{topic}'>" in html
        for contract in contracts_of(topic):
            assert f"<code>{contract.type}</code>" in html
    assert len(document["components"]["messages"]) == html.count("<h3 id=")
    # A contract's data fields, with their descriptions.
    assert "<code>credit_code</code>" in html and "统一社会信用代码" in html
    for url in urls.values():
        assert f"href='{url}/docs'" in html and f"href='{url}/asyncapi'" in html
        assert f"({url}/docs)" in openapi["info"]["description"]
    assert "href='asyncapi.json'" in html
