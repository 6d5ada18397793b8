"""Twisted name resolver backed by zwgk's Resolver and network guard.

Installed through ``TWISTED_DNS_RESOLVER`` so that every connection Scrapy
opens resolves through ``dns.nameservers``/``dns.hosts`` and passes
:func:`zwgk.net.decide`. It fails closed: until a spider has installed a
guard (see :func:`set_guard`), no name resolves at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from twisted.internet import threads
from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.interfaces import IHostnameResolver, IHostResolution, IResolutionReceiver
from zope.interface import implementer

from zwgk.net import NetworkGuard

_guard: NetworkGuard | None = None


def set_guard(guard: NetworkGuard) -> None:
    global _guard
    _guard = guard


def get_guard() -> NetworkGuard | None:
    return _guard


@implementer(IHostResolution)
class _Resolution:
    def __init__(self, name: str) -> None:
        self.name = name

    def cancel(self) -> None:
        pass


@implementer(IHostnameResolver)
class GuardedResolver:
    def __init__(self, reactor: Any) -> None:
        self.reactor = reactor

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> GuardedResolver:
        return cls(reactor)

    def install_on_reactor(self) -> None:
        self.reactor.installNameResolver(self)

    def resolveHostName(
        self,
        resolutionReceiver: IResolutionReceiver,
        hostName: str,
        portNumber: int = 0,
        addressTypes: Sequence[type[Any]] | None = None,
        transportSemantics: str = "TCP",
    ) -> IHostResolution:
        resolution: Any = _Resolution(hostName)
        receiver: Any = resolutionReceiver  # zope interfaces confuse mypy
        receiver.resolutionBegan(resolution)
        guard = _guard
        if guard is None:
            receiver.resolutionComplete()
            return resolution

        def done(result: Any) -> None:
            res, decision = result
            if decision.allowed:
                want4 = addressTypes is None or IPv4Address in addressTypes
                want6 = addressTypes is None or IPv6Address in addressTypes
                if want4:
                    for a in res.a:
                        receiver.addressResolved(IPv4Address("TCP", a, portNumber))
                if want6:
                    for a in res.aaaa:
                        receiver.addressResolved(IPv6Address("TCP", a, portNumber))
            receiver.resolutionComplete()

        def failed(_: Any) -> None:
            receiver.resolutionComplete()

        d = threads.deferToThreadPool(
            self.reactor, self.reactor.getThreadPool(), guard.check, hostName
        )
        d.addCallbacks(done, failed)
        return resolution
