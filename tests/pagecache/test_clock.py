"""The content version is re-read within PAGE_CACHE_RECHECK of wall-clock time, even when the
system clock is stepped back (NTP correcting a clock that ran ahead, a VM restored)."""

import time
from datetime import UTC, datetime

import pytest
from django.db.models import F
from django.utils import timezone

from pagecache import versions
from pagecache.models import ContentVersion

pytestmark = pytest.mark.django_db


def test_a_clock_stepped_back_does_not_freeze_the_version(time_machine):
    time_machine.move_to(datetime(2026, 11, 26, 12, 0, tzinfo=UTC), tick=True)
    before = versions.current().key
    # Another process starts a new version (a publication).
    ContentVersion.objects.filter(scope="pages").update(
        number=F("number") + 1, changed_at=timezone.now()
    )
    # NTP steps the clock back by an hour.
    time_machine.move_to(datetime(2026, 11, 26, 11, 0, tzinfo=UTC), tick=True)
    time.sleep(1.2)  # PAGE_CACHE_RECHECK (1 s) has passed, really

    assert versions.current().key != before
