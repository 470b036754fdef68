// Every screen, by its address after "#/", and how to load it: a screen's code is fetched
// when it is first shown, so the app opens (to the crisis view, say) without loading the rest.
// `open` screens work without signing in; `live` screens show changes (from sync, say) as
// they arrive.
export const routes = [
  ["signin", () => import("./screens/auth.js").then((m) => m.signIn)],
  ["signup", () => import("./screens/auth.js").then((m) => m.signUp)],
  ["welcome", () => import("./screens/welcome.js").then((m) => m.welcome)],
  ["plan", () => import("./screens/plan.js").then((m) => m.overview)],
  ["plan/:key", () => import("./screens/section.js").then((m) => m.section)],
  ["today", () => import("./screens/today.js").then((m) => m.ask)],
  ["today/:state", () => import("./screens/today.js").then((m) => m.answer)],
  ["crisis", () => import("./screens/crisis.js").then((m) => m.crisis)],
  ["history", () => import("./screens/history.js").then((m) => m.list)],
  ["history/:number", () => import("./screens/history.js").then((m) => m.version)],
  ["decisions", () => import("./screens/decisions.js").then((m) => m.decisions)],
  ["deleted", () => import("./screens/deleted.js").then((m) => m.deleted)],
  ["more", () => import("./screens/account.js").then((m) => m.more)],
  ["print", () => import("./screens/account.js").then((m) => m.print)],
  ["sharing", () => import("./screens/sharing.js").then((m) => m.sharing)],
  ["sharing/new", () => import("./screens/sharing.js").then((m) => m.newShare)],
  ["sharing/:id", () => import("./screens/sharing.js").then((m) => m.changeShare)],
  ["access-log", () => import("./screens/sharing.js").then((m) => m.accessLog)],
  ["crisis-card", () => import("./screens/crisis-card.js").then((m) => m.crisisCard)],
  ["invite/:code", () => import("./screens/invite.js").then((m) => m.invite)],
  ["suggestions", () => import("./screens/review.js").then((m) => m.inbox)],
  ["imports/:id", () => import("./screens/review.js").then((m) => m.importReview)],
  ["shared", () => import("./screens/shared.js").then((m) => m.sharedList)],
  ["shared/:id", () => import("./screens/shared.js").then((m) => m.sharedView)],
  ["import", () => import("./screens/shared.js").then((m) => m.importUpload)],
  ["import/:planId", () => import("./screens/shared.js").then((m) => m.importUpload)],
];
