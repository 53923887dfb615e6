// The list of rosters, newest first; a row opens the roster.
import { api } from "../api.js";
import { num, followLive } from "../workspace/common.js";
import { $, errorText, toast } from "../helpers.js";
import { t } from "../i18n.js";
import { centreZone, zDateTime } from "./zone.js";

const TZ = centreZone();
const localTime = (iso) => zDateTime(iso, TZ);
const PUBLISHED = t("published");
const DRAFT = t("draft");

api("GET", "/api/planner/rosters").then(({ rosters }) => {
  const body = $("rosters");
  if (!rosters.length) { const none = t("No roster yet: generate one from the forecast.");
    body.innerHTML = `<tr class="empty-row"><td colspan="8"></td></tr>`;
    body.querySelector("td").textContent = none; return; }
  body.replaceChildren(...rosters.map((r) => {
    const tr = document.createElement("tr");
    tr.className = "clickable";
    tr.onclick = () => { location.href = `/planner/rosters/${r.roster_id}`; };
    const cells = [r.name, `${localTime(r.period_start_at)} – ${localTime(r.period_end_at)}`, null,
      num(r.under_staffing, 1), num(r.over_staffing, 1), r.gap == null ? "—" : `${num(100 * r.gap)}%`, r.created_by ?? "—", localTime(r.created_at)];
    cells.forEach((c, i) => {
      const td = document.createElement("td");
      if (i === 2) td.innerHTML = r.published ? `<span class="pill good">${PUBLISHED}</span>` : `<span class="pill blue">${DRAFT}</span>`;
      else td.textContent = c;
      if (i >= 3 && i <= 5) td.className = "num";
      tr.append(td);
    });
    return tr;
  }));
}).catch((err) => toast(errorText(err), true));
followLive();
