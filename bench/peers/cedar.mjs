#!/usr/bin/env node
// Cedar peer of the fairlead benchmark's "Decide" row (shared/spec/bench.md, "Peers").
//
//   node bench/peers/cedar.mjs DIR OUT.json [--runs N] [--api stateful|isAuthorized] [--show K]
//
// DIR is what `fairlead bench decide --out DIR` wrote: requests.jsonl (one scenario JSON per
// line, the `fairlead decide --scenario` contract) and answers.jsonl (fairlead's decision per
// line). Every request is decided by Cedar through the npm package @cedar-policy/cedar-wasm
// (installed in bench/ by `npm ci`), on one thread, and its allow/deny compared with
// fairlead's `allow` (and, as a second check, the decisive reason and basis named by the
// @reason/@basis annotations of the Cedar policies that decided). Prints the first K (--show,
// default 5) mismatches with their request; exit status 3 when an allow/deny differs, 2 when a
// request is outside what the policies encode. OUT.json: system, version, path (the API),
// requests, mismatches, decides_per_s_median, runs_per_s, precomputed_in_js, policies, and more.
//
// What Cedar decides (bench/peers/cedar/policies.cedar: 5 policies, validated in strict mode
// against bench/peers/cedar/policies.cedarschema at start-up):
//   - rule 4 SUPPRESSED, rule 11.1 OBJECTED and 11.2 CONSENT_WITHDRAWN: forbids;
//   - rule 11.2 CONSENT: the latest covering consent is granted, and confirmed where double
//     opt-in is required;
//   - rules 11.3 + 11.5 LEGITIMATE_INTEREST: the email country regime table itself is Cedar:
//     which (country, recipient class) cells are "out", from which date (each row's
//     valid_from against the decision time), which rows need job relevance (FR, FI, for
//     corporate personal addresses), and that the purpose needs an lia; every other cell,
//     country (JP, BR: the "*" row) and unknown country is "in";
//   - 11.6 NO_LAWFUL_BASIS is Cedar's default deny; forbid overrides permit, which is
//     fairlead's order here (every deny of rules 4, 11.1, 11.2 comes before every allow).
// What the JavaScript converter precomputes (untimed, before any timing) per request: plain
// attributes, fairlead's reading of the records (docs/policy-readings.md), not the decision.
//   Person (resource) attributes:
//   - latest_consent: status of the latest consent record (basis "consent") whose scope
//     covers the purpose (equal or dotted prefix) and whose channels include the channel,
//     among records at or before `at` (future records do not exist yet), equal times
//     strictest first; a record without scope/channels covers everything only when
//     withdrawn or expired: "granted" (granted, not expired) | "withdrawn" | "pending" |
//     "expired" (status expired, or granted with expires_at <= at) | "none";
//   - latest_consent_confirmed: that record's confirmed_at is at or before `at` and at or
//     after the record's own `at` (docs/policy-readings.md 21);
//   - objected: objected_direct_marketing_at at or before `at` (or objected_direct_marketing);
//   - suppressed: the scenario's flag, as given;
//   - recipient_class: consumer | sole_trader | corporate_personal | corporate_generic
//     (corporate, email channel, every non-hidden address a role address such as info@);
//   - country: alpha-2 part of the normalised code (US-CA -> US; "" if missing/malformed);
//   - function_relevant: the function is among the purpose's job_functions (the same
//     string, reading 20) or that list is empty (Cedar decides where job relevance matters).
//   Context: at (seconds since 1970), has_lia (the purpose's lia is not null/empty),
//   doi_required (the purpose's requires_double_opt_in, or the country in the tenant's
//   double_opt_in_countries in any case, default ["DE","AT"]; an unknown country is in none).
// Out of scope (the converter refuses such requests with an error, so nothing is silently
// mis-decided): actions other than contact, channels other than email, purposes other than
// marketing/sales_outreach, erased/restricted subjects, retention_days, every address hidden,
// and purchases (soft opt-in).
//
// API path: the policy set is preparsed once (preparsePolicySet); every request is then one
// statefulIsAuthorized call, the package's fastest path (`--api isAuthorized` measures the
// plain call, which parses the policy text on every request, for comparison). No schema in
// the timed calls (validateRequest off); the schema check runs once, untimed, on a sample.
// Requests are built as JS objects before timing; the timed loop is the call (which
// serialises the request to JSON for the Wasm side, parses entities and context there,
// evaluates, and returns the parsed answer) plus reading `response.decision`. An untimed
// warm-up pass, then `runs` (default 5) timed passes over all requests on one thread with
// performance.now(); decides_per_s_median is the median over the passes.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const cedar = require('@cedar-policy/cedar-wasm/nodejs');
const PSET_ID = 'fairlead';
const PRECOMPUTED = 'per request, untimed. Person attributes: latest_consent (status of the latest consent ' +
  'record covering the purpose and channel at or before `at`, equal times strictest first: granted (not ' +
  'expired) | withdrawn | pending | expired | none), latest_consent_confirmed (record at <= confirmed_at <= at), objected ' +
  '(objection at or before `at`), suppressed (as given), recipient_class (consumer | sole_trader | ' +
  'corporate_personal | corporate_generic: corporate with only role addresses), country (alpha-2 of the ' +
  'normalised code), function_relevant (function among job_functions, or the list empty). Context: at ' +
  '(epoch seconds), has_lia, doi_required (purpose flag, or country in the tenant double_opt_in_countries).';
const DECIDED = 'suppression, objection and consent withdrawal (forbids); consent allow with double opt-in; ' +
  'legitimate interest from the email country regime table written in Cedar (out cells per country and ' +
  'recipient class, each row valid from its date, lia needed, job relevance for FR/FI corporate personal); ' +
  'default deny = NO_LAWFUL_BASIS; forbid overrides permit.';

function die(msg, code = 1) {
  process.stderr.write(`cedar peer: ${msg}\n`);
  process.exit(code);
}

// ---------------------------------------------------------------- arguments
function parseArgs(argv) {
  const pos = [];
  const opt = { runs: 5, api: 'stateful', show: 5 };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    if (a === '--runs') opt.runs = Number(argv[++i]);
    else if (a === '--api') opt.api = argv[++i];
    else if (a === '--show') opt.show = Number(argv[++i]);
    else if (a.startsWith('--')) die(`unknown option ${a}`);
    else pos.push(a);
  }
  if (pos.length !== 2) die('usage: node bench/peers/cedar.mjs DIR OUT.json [--runs N] [--api stateful|isAuthorized] [--show K]');
  if (!Number.isInteger(opt.runs) || opt.runs < 1) die('--runs must be a positive integer');
  if (opt.api !== 'stateful' && opt.api !== 'isAuthorized') die('--api is stateful or isAuthorized');
  return { dir: pos[0], out: pos[1], ...opt };
}

// ---------------------------------------------------------------- fairlead's record reading
// Times: YYYY-MM-DD (midnight UTC) or RFC 3339; fairlead keeps whole seconds.
function parseTime(v, what) {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new Error(`${what}: not a time string`);
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
  if (Number.isNaN(ms)) throw new Error(`${what}: bad time '${v}'`);
  return Math.floor(ms / 1000);
}

const ROLE_LOCALS = new Set(['info', 'sales', 'contact', 'office', 'hello', 'support', 'team', 'admin',
  'marketing', 'enquiries']);
const asciiLower = (s) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

function emailType(address) {
  // fairlead (EmailTypeOf): the local part up to the first '+', ASCII lower case.
  const at = address.indexOf('@');
  let local = at >= 0 ? address.slice(0, at) : address;
  const plus = local.indexOf('+');
  if (plus >= 0) local = local.slice(0, plus);
  return ROLE_LOCALS.has(asciiLower(local)) ? 'generic' : 'personal';
}

function readEmail(e) {
  if (typeof e === 'string') return { type: emailType(e), visibility: 'visible' };
  if (e && typeof e === 'object') {
    const raw = e.address || e.email || e.value || '';
    return { type: e.type || emailType(raw), visibility: e.visibility || 'visible' };
  }
  throw new Error('subject.email: not a string or object');
}

function scopeCovers(scope, purposeId) {
  if (typeof scope !== 'string' || scope === '') return false;
  if (purposeId.length < scope.length || !purposeId.startsWith(scope)) return false;
  return purposeId.length === scope.length || purposeId[scope.length] === '.';
}

const STRICTNESS = { withdrawn: 0, expired: 1, pending: 2, granted: 3 };

// A before B in fairlead's "latest" order (LaterThan in src/policy/decide.cc).
function laterThan(a, b) {
  if (a.at !== b.at) return a.at > b.at;
  if (STRICTNESS[a.status] !== STRICTNESS[b.status]) return STRICTNESS[a.status] < STRICTNESS[b.status];
  if ((a.confirmed_at !== null) !== (b.confirmed_at !== null)) return a.confirmed_at === null;
  const ea = a.expires_at ?? Infinity;
  const eb = b.expires_at ?? Infinity;
  if (ea !== eb) return ea < eb;
  return a.id < b.id;
}

function latestConsent(bases, purposeId, channel, at) {
  let best = null;
  bases.forEach((raw, i) => {
    if (raw.basis !== 'consent') return;
    const status = raw.status;
    if (!(status in STRICTNESS)) throw new Error(`bases[${i}].status: '${status}'`);
    const unscoped = status === 'withdrawn' || status === 'expired';
    const scopes = raw.scope === undefined || raw.scope === null ? [] : [].concat(raw.scope);
    const coversPurpose = scopes.length === 0 ? unscoped : scopes.some((s) => scopeCovers(s, purposeId));
    // An empty channels list is none given, as in fairlead (docs/policy-readings.md 2).
    const channels = raw.channels === undefined || raw.channels === null ? [] : [].concat(raw.channels);
    const coversChannel = channels.length === 0 ? unscoped : channels.includes(channel);
    const r = {
      status,
      at: parseTime(raw.at, `bases[${i}].at`),
      confirmed_at: parseTime(raw.confirmed_at, `bases[${i}].confirmed_at`),
      expires_at: parseTime(raw.expires_at, `bases[${i}].expires_at`),
      id: Number.isInteger(raw.id) ? raw.id : i + 1,
    };
    if (r.at === null) throw new Error(`bases[${i}].at missing`);
    if (r.at <= at && coversPurpose && coversChannel && (!best || laterThan(r, best))) best = r;
  });
  if (!best) return { latest: 'none', confirmed: false };
  const expired = best.status === 'expired' || (best.expires_at !== null && best.expires_at <= at);
  const confirmed = best.confirmed_at !== null && best.confirmed_at <= at && best.confirmed_at >= best.at;
  let latest = best.status;
  if (best.status === 'granted' && expired) latest = 'expired';
  return { latest, confirmed };
}

function normCountry(raw) {
  if (typeof raw !== 'string' || raw.trim() === '') return { country: '', code: '' };
  const c = raw.trim().toUpperCase();
  // A row key is the alpha-2 part of a valid code; a malformed code is an unknown country
  // (strictest: no row). Codes that are well formed but not ISO codes match no row either.
  if (!/^[A-Z]{2}(-[A-Z0-9]{1,3})?$/.test(c)) return { country: '', code: raw };
  return { country: c.slice(0, 2), code: c };
}

// Why this peer cannot decide a request (null when it can).
function unsupported(q) {
  if (q.action !== 'contact') return `action ${q.action}`;
  if (q.channel !== 'email') return `channel ${q.channel}`;
  const p = q.purpose;
  if (!p || typeof p !== 'object') return 'purpose missing or not an object';
  const kind = p.kind ?? (String(p.id).split('.')[0] === 'sales_outreach' ? 'sales_outreach' : 'marketing');
  if (kind !== 'marketing' && kind !== 'sales_outreach') return `purpose kind ${kind}`;
  if (p.retention_days !== undefined && p.retention_days !== null) return 'retention_days';
  const s = q.subject;
  if (!s || typeof s !== 'object') return 'subject missing';
  if (s.erased) return 'erased subject';
  if (s.restricted) return 'restricted subject';
  if (Array.isArray(s.purchases) && s.purchases.length) return 'purchases (soft opt-in)';
  const emails = [];
  if (s.email !== undefined) emails.push(readEmail(s.email));
  if (Array.isArray(s.emails)) for (const e of s.emails) emails.push(readEmail(e));
  if (emails.length && emails.every((e) => e.visibility === 'hidden')) return 'every address hidden (EMAIL_HIDDEN)';
  return null;
}

// One scenario -> the Cedar request (principal, action, resource entity, context).
function toCedar(q, i) {
  const s = q.subject;
  const p = q.purpose;
  const at = parseTime(q.at, 'at');
  if (at === null) throw new Error('at missing (the benchmark requests carry one)');
  const channel = q.channel;
  const { country, code } = normCountry(s.country);

  const emails = [];
  if (s.email !== undefined) emails.push(readEmail(s.email));
  if (Array.isArray(s.emails)) for (const e of s.emails) emails.push(readEmail(e));
  const recipient = s.recipient ?? 'consumer';
  let recipientClass;
  if (recipient === 'consumer' || recipient === 'sole_trader') recipientClass = recipient;
  else if (recipient === 'corporate') {
    const usable = emails.filter((e) => e.visibility !== 'hidden');
    recipientClass = channel === 'email' && usable.length && usable.every((e) => e.type === 'generic')
      ? 'corporate_generic' : 'corporate_personal';
  } else throw new Error(`subject.recipient '${recipient}'`);

  const objAt = parseTime(s.objected_direct_marketing_at, 'subject.objected_direct_marketing_at');
  const objected = (objAt !== null && objAt <= at) || (objAt === null && s.objected_direct_marketing === true);
  const { latest, confirmed } = latestConsent(Array.isArray(s.bases) ? s.bases : [], p.id, channel, at);
  const tenant = q.tenant && typeof q.tenant === 'object' ? q.tenant : {};
  const doiCountries = Array.isArray(tenant.double_opt_in_countries) ? tenant.double_opt_in_countries : ['DE', 'AT'];
  // Codes compare in any case; an unknown country is in no list (readings 5 and 19).
  const doiRequired = p.requires_double_opt_in === true ||
    doiCountries.some((c) => String(c).toUpperCase() === code || String(c).toUpperCase() === country);
  const jobFunctions = Array.isArray(p.job_functions) ? p.job_functions : [];
  const fn = typeof s.function === 'string' ? s.function : '';
  const functionRelevant = jobFunctions.length === 0 || jobFunctions.some((f) => String(f) === fn);

  const resource = { type: 'Person', id: String(i) };
  return {
    principal: { type: 'User', id: typeof q.actor === 'string' ? q.actor : (q.actor?.role ?? 'read_only') },
    action: { type: 'Action', id: 'contact' },
    resource,
    context: {
      at,
      has_lia: typeof p.lia === 'string' && p.lia !== '',
      doi_required: doiRequired,
    },
    entities: [{
      uid: resource,
      attrs: {
        country,
        recipient_class: recipientClass,
        objected,
        suppressed: q.suppressed === true,
        latest_consent: latest,
        latest_consent_confirmed: confirmed,
        function_relevant: functionRelevant,
      },
      parents: [],
    }],
  };
}

// ---------------------------------------------------------------- policies
function loadPolicies() {
  const text = fs.readFileSync(path.join(HERE, 'cedar', 'policies.cedar'), 'utf8');
  const schema = fs.readFileSync(path.join(HERE, 'cedar', 'policies.cedarschema'), 'utf8');
  const parts = cedar.policySetTextToParts(text);
  if (parts.type !== 'success') die(`policies.cedar: ${JSON.stringify(parts.errors)}`);
  if (parts.policy_templates.length) die('policies.cedar: templates are not expected');
  const byId = {};
  const meta = {};
  for (const ptxt of parts.policies) {
    const j = cedar.policyToJson(ptxt);
    if (j.type !== 'success') die(`policyToJson: ${JSON.stringify(j.errors)}`);
    const ann = j.json.annotations || {};
    const id = ann.id;
    if (!id || byId[id]) die(`every policy needs a unique @id (${id})`);
    byId[id] = ptxt;
    meta[id] = { effect: j.json.effect, reason: ann.reason ?? null, basis: ann.basis ?? null };
  }
  const v = cedar.validate({ schema, policies: { staticPolicies: byId }, validationSettings: { mode: 'strict' } });
  if (v.type !== 'success') die(`validate: ${JSON.stringify(v.errors)}`);
  if (v.validationErrors.length) die(`policies.cedar does not validate: ${JSON.stringify(v.validationErrors)}`);
  return { text, schema, byId, meta, count: parts.policies.length };
}

// fairlead's decisive reason and basis from the Cedar policies that decided.
function explain(resp, meta) {
  const ids = resp.diagnostics.reason;
  const order = ['suppressed', 'objected', 'consent-withdrawn'];
  if (resp.decision === 'deny') {
    for (const id of order) if (ids.includes(id)) return { reason: meta[id].reason ?? id.toUpperCase(), basis: null };
    return { reason: 'NO_LAWFUL_BASIS', basis: null };
  }
  const id = ids.includes('consent') ? 'consent' : ids[0];
  return { reason: meta[id].reason, basis: meta[id].basis };
}

// ---------------------------------------------------------------- main
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const readLines = (f) => fs.readFileSync(path.join(args.dir, f), 'utf8').split('\n').filter((l) => l.trim());
  const reqLines = readLines('requests.jsonl');
  const answers = readLines('answers.jsonl').map((l) => JSON.parse(l));
  if (reqLines.length !== answers.length) die(`${reqLines.length} requests but ${answers.length} answers`);
  const n = reqLines.length;

  const pol = loadPolicies();
  const pre = cedar.preparsePolicySet(PSET_ID, { staticPolicies: pol.byId });
  if (pre.type !== 'success') die(`preparsePolicySet: ${JSON.stringify(pre.errors)}`);

  // Build every Cedar request (untimed).
  const t0 = performance.now();
  const calls = new Array(n);
  const refused = [];
  for (let i = 0; i < n; ++i) {
    const q = JSON.parse(reqLines[i]);
    let why;
    try {
      why = unsupported(q);
      if (!why) calls[i] = toCedar(q, i);
    } catch (e) {
      why = `bad request: ${e.message}`;
    }
    if (why) refused.push(`line ${i + 1}: ${why}`);
  }
  if (refused.length) die(`${refused.length} requests outside what the Cedar policies encode:\n  ${refused.slice(0, 10).join('\n  ')}`, 2);
  const statefulCalls = calls.map((c) => ({ ...c, preparsedPolicySetId: PSET_ID }));
  const plainCalls = calls.map((c) => ({ ...c, policies: { staticPolicies: pol.byId } }));
  const buildS = (performance.now() - t0) / 1000;

  // Untimed schema check of a sample: entities and context typed by the schema, and the
  // request validated against the action's appliesTo; same decision as without schema.
  const sample = Math.min(n, 2000);
  for (let i = 0; i < sample; ++i) {
    const a = cedar.isAuthorized({ ...plainCalls[i], schema: pol.schema, validateRequest: true });
    if (a.type !== 'success') die(`schema check, request ${i + 1}: ${JSON.stringify(a.errors)}`);
    const b = cedar.statefulIsAuthorized(statefulCalls[i]);
    if (b.type !== 'success' || b.response.decision !== a.response.decision) die(`schema check, request ${i + 1}: decisions differ`);
  }

  const fn = args.api === 'stateful' ? cedar.statefulIsAuthorized : cedar.isAuthorized;
  const input = args.api === 'stateful' ? statefulCalls : plainCalls;

  // Warm-up pass (untimed): keep the full answers for the comparison.
  const resp = new Array(n);
  for (let i = 0; i < n; ++i) {
    const a = fn(input[i]);
    if (a.type !== 'success') die(`request ${i + 1}: ${JSON.stringify(a.errors)}`);
    if (a.response.diagnostics.errors.length) die(`request ${i + 1}: policy evaluation errors ${JSON.stringify(a.response.diagnostics.errors)}`);
    resp[i] = a.response;
  }

  // Timed passes.
  const allow = new Uint8Array(n);
  const runsPerS = [];
  const runsMs = [];
  for (let r = 0; r < args.runs; ++r) {
    let failures = 0;
    const start = performance.now();
    for (let i = 0; i < n; ++i) {
      const a = fn(input[i]);
      if (a.type === 'success') allow[i] = a.response.decision === 'allow' ? 1 : 0;
      else ++failures;
    }
    const ms = performance.now() - start;
    if (failures) die(`${failures} failed calls in timed pass ${r + 1}`);
    for (let i = 0; i < n; ++i)
      if (allow[i] !== (resp[i].decision === 'allow' ? 1 : 0)) die(`request ${i + 1}: decision changed between passes`);
    runsMs.push(ms);
    runsPerS.push(n / (ms / 1000));
  }

  // Compare with fairlead.
  let mismatches = 0;
  let detailMismatches = 0;
  let allowed = 0;
  const shown = [];
  for (let i = 0; i < n; ++i) {
    const want = answers[i];
    const got = resp[i].decision === 'allow';
    allowed += got;
    const ex = explain(resp[i], pol.meta);
    const allowBad = got !== want.allow;
    const detailBad = ex.basis !== want.basis || ex.reason !== want.reasons[0];
    if (allowBad) ++mismatches;
    if (detailBad) ++detailMismatches;
    if ((allowBad || detailBad) && shown.length < args.show) {
      shown.push(`request ${i + 1}: cedar ${resp[i].decision} by [${resp[i].diagnostics.reason.join(', ')}] ` +
        `(${ex.reason}, ${ex.basis}); fairlead ${JSON.stringify(want)}\n  request: ${reqLines[i]}\n` +
        `  cedar entity: ${JSON.stringify(calls[i].entities[0].attrs)}`);
    }
  }

  let fairleadRate = null;
  try {
    fairleadRate = JSON.parse(fs.readFileSync(path.join(args.dir, 'fairlead_decide.json'), 'utf8')).decides_per_s_median ?? null;
  } catch { /* not written by this fairlead: no ratio */ }
  const apiPath = args.api === 'stateful'
    ? 'preparsePolicySet once + statefulIsAuthorized per request (no schema, validateRequest off)'
    : 'isAuthorized per request (policy text parsed on every call; no schema)';
  const out = {
    system: 'cedar-wasm',
    version: cedar.getCedarSDKVersion(),
    cedar_version: cedar.getCedarVersion(),
    cedar_lang_version: cedar.getCedarLangVersion(),
    path: apiPath,
    requests: n,
    allowed,
    mismatches,
    decisive_reason_or_basis_mismatches: detailMismatches,
    decides_per_s_median: median(runsPerS),
    runs_per_s: runsPerS,
    runs_ms: runsMs,
    us_per_decide_median: 1e6 / median(runsPerS),
    precomputed_in_js: PRECOMPUTED,
    decided_in_cedar: DECIDED,
    policies: pol.count,
    build_s: buildS,
    fairlead_decides_per_s_median: fairleadRate,
    schema_checked_requests: sample,
  };
  fs.mkdirSync(path.dirname(path.resolve(args.out)), { recursive: true });
  fs.writeFileSync(args.out, JSON.stringify(out, null, 2) + '\n');
  process.stdout.write(`cedar-wasm ${out.version} (${args.api}): ${n} requests, ${allowed} allowed, ` +
    `${mismatches} allow mismatches, ${detailMismatches} reason/basis mismatches; ` +
    `median ${Math.round(out.decides_per_s_median)} decides/s (${out.us_per_decide_median.toFixed(2)} us), ` +
    `runs ${runsPerS.map((x) => Math.round(x)).join(' ')}\n`);
  for (const s of shown) process.stdout.write(s + '\n');
  if (mismatches) process.exitCode = 3;
}

main();
