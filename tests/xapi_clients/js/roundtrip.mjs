// Round trip against a Trellis LRS with the third-party @xapi/xapi client.
// Usage: XAPI_ENDPOINT=http://127.0.0.1:8000/xapi/ XAPI_KEY=… XAPI_SECRET=… node roundtrip.mjs
// Prints one JSON object with what the LRS answered; the Python test asserts on it.
import { createHash, randomUUID } from "node:crypto";
import XAPI from "@xapi/xapi";

const endpoint = process.env.XAPI_ENDPOINT;
const auth = XAPI.toBasicAuth(process.env.XAPI_KEY, process.env.XAPI_SECRET);
// The fetch adapter: with the default axios adapter under Node, the library's multipart body (a Blob)
// goes out as application/octet-stream, so attachments never reach any LRS as multipart/mixed.
const xapi = new XAPI({ endpoint, auth, version: process.env.XAPI_VERSION || "1.0.3", adapter: "fetch" });
const out = {};

const actor = { objectType: "Agent", name: "Ada JS", mbox: "mailto:ada.js@example.com" };
const activityId = "https://courses.example.com/js/intro";
const statement = {
  actor,
  verb: XAPI.Verbs.COMPLETED,
  object: { objectType: "Activity", id: activityId, definition: { name: { "en-US": "Intro (JS)" } } },
  result: { completion: true, success: true, score: { scaled: 0.9 }, duration: "PT12M30S" },
};

try {
  out.about = (await xapi.getAbout()).data;

  const sent = await xapi.sendStatement({ statement });
  out.sent_ids = sent.data;
  const fetched = await xapi.getStatement({ statementId: sent.data[0] });
  out.fetched = fetched.data;
  out.consistent_through = fetched.headers["x-experience-api-consistent-through"] || null;

  const text = "certificate of completion for Ada";
  const buffer = new TextEncoder().encode(text).buffer;
  const sha2 = createHash("sha256").update(text).digest("hex");
  const withAttachment = {
    ...statement,
    id: randomUUID(),
    attachments: [{
      usageType: XAPI.AttachmentUsages.CERTIFICATE_OF_COMPLETION,
      display: { "en-US": "Certificate" },
      contentType: "text/plain",
      length: text.length,
      sha2,
    }],
  };
  out.attachment_ids = (await xapi.sendStatement({ statement: withAttachment, attachments: [buffer] })).data;
  out.attachment_sha2 = sha2;

  const query = await xapi.getStatements({ agent: actor, verb: XAPI.Verbs.COMPLETED.id, activity: activityId, limit: 10 });
  out.query_count = query.data.statements.length;

  out.voided = (await xapi.voidStatement({ actor, statementId: sent.data[0] })).data;
  const voided = await xapi.getVoidedStatement({ voidedStatementId: sent.data[0] });
  out.voided_fetched_id = voided.data.id;

  await xapi.setState({ agent: actor, activityId, stateId: "bookmark", state: { page: 7 } });
  out.state = (await xapi.getState({ agent: actor, activityId, stateId: "bookmark" })).data;
  await xapi.createState({ agent: actor, activityId, stateId: "bookmark", state: { chapter: 2 } });
  out.state_merged = (await xapi.getState({ agent: actor, activityId, stateId: "bookmark" })).data;
  out.state_ids = (await xapi.getStates({ agent: actor, activityId })).data;
  await xapi.deleteState({ agent: actor, activityId, stateId: "bookmark" });
  out.state_ids_after_delete = (await xapi.getStates({ agent: actor, activityId })).data;

  await xapi.setActivityProfile({ activityId, profileId: "settings", profile: { theme: "dark" }, etag: "*", matchHeader: "If-None-Match" });
  const activityProfile = await xapi.getActivityProfile({ activityId, profileId: "settings" });
  out.activity_profile = activityProfile.data;
  out.activity_profile_etag = activityProfile.headers.etag || null;

  await xapi.createAgentProfile({ agent: actor, profileId: "prefs", profile: { lang: "en" } });
  out.agent_profile = (await xapi.getAgentProfile({ agent: actor, profileId: "prefs" })).data;

  out.ok = true;
} catch (error) {
  out.ok = false;
  out.error = String(error);
  out.status = error?.response?.status ?? null;
  out.body = error?.response?.data ?? null;
}
process.stdout.write(JSON.stringify(out));
