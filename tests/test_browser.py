"""What a reader does, in a real browser (Debian's Chromium driven by Playwright)."""

from __future__ import annotations


def test_home_to_work_to_text(page, site_url):
    page.goto(site_url)
    assert "Library" in page.title()
    page.get_by_role("link", name="Soviet Power", exact=True).first.click()
    page.wait_for_url("**/soviet-power/")
    page.get_by_role("link", name="Soviet Power").last.click()
    page.wait_for_load_state()
    text = page.locator("article").inner_text()
    assert "All power to the Soviets!" in text
    assert "Rabochy Put" in text
