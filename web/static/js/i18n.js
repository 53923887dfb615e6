// The pages' messages in the page's language: the catalog compiled from web/locales at install
// (scripts/build_messages.py -> /static/i18n/<locale>.json), chosen by <html data-locale>.
// Mark a string with t("English text", {name: value}); `make messages` extracts it.
const root = document.documentElement;
export const locale = root.dataset.locale || "en";
export const timeZone = root.dataset.timezone || "UTC";

async function load(code) {
  if (code === "en") return {};
  try {
    const resp = await fetch(`/static/i18n/${code}.json`, { credentials: "same-origin" });
    return resp.ok ? await resp.json() : {};
  } catch {
    return {}; // offline or missing: the English text is still shown
  }
}

const messages = await load(locale);

// The translation of `msgid`, its %(name)s placeholders filled from `params`.
export function t(msgid, params = {}) {
  const text = messages[msgid] || msgid;
  return text.replace(/%\((\w+)\)s/g, (whole, name) => (name in params ? String(params[name]) : whole));
}
