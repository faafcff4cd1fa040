// Small progressive enhancements; every page works without them.

// Registration: remember the browser's time zone so event times are shown in it.
for (const form of document.querySelectorAll("form[data-fill-timezone]")) {
  const field = form.querySelector('input[name="time_zone"]');
  if (field && !field.value) {
    field.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  }
}

// Anonymous visitors: tell the server the browser's zone for showing times.
if (!document.cookie.split("; ").some((c) => c.startsWith("kakehashi_tz="))) {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone) {
    document.cookie = `kakehashi_tz=${encodeURIComponent(zone)}; path=/; max-age=31536000; samesite=lax`;
  }
}
