// Every screen, by its address after "#/". `open` screens work without signing in;
// `live` screens show changes (from sync, say) as they arrive.
import { more, print } from "./screens/account.js";
import { forgotPassword, resetPassword, signIn, signUp } from "./screens/auth.js";
import { arrange } from "./screens/arrange.js";
import { crisisCard } from "./screens/crisis-card.js";
import { copies } from "./screens/copies.js";
import { crisis } from "./screens/crisis.js";
import { decisions } from "./screens/decisions.js";
import { deleted } from "./screens/deleted.js";
import * as history from "./screens/history.js";
import { invite } from "./screens/invite.js";
import { appLock } from "./screens/lock.js";
import { overview } from "./screens/plan.js";
import { progress } from "./screens/progress.js";
import { importReview, inbox } from "./screens/review.js";
import { section } from "./screens/section.js";
import { importUpload, sharedList, sharedView } from "./screens/shared.js";
import { accessLog, changeShare, newShare, sharing } from "./screens/sharing.js";
import * as today from "./screens/today.js";
import { welcome } from "./screens/welcome.js";

export const routes = [
  ["signin", signIn],
  ["signup", signUp],
  ["forgot-password", forgotPassword],
  ["reset-password/:token", resetPassword],
  ["welcome", welcome],
  ["plan", overview],
  ["plan/:key", section],
  ["arrange", arrange],
  ["today", today.ask],
  ["today/:state", today.answer],
  ["crisis", crisis],
  ["progress", progress],
  ["take-with-you", copies],
  ["history", history.list],
  ["history/:number", history.version],
  ["decisions", decisions],
  ["deleted", deleted],
  ["more", more],
  ["app-lock", appLock],
  ["print", print],
  ["sharing", sharing],
  ["sharing/new", newShare],
  ["sharing/:id", changeShare],
  ["access-log", accessLog],
  ["crisis-card", crisisCard],
  ["invite/:code", invite],
  ["suggestions", inbox],
  ["imports/:id", importReview],
  ["shared", sharedList],
  ["shared/:id", sharedView],
  ["import", importUpload],
  ["import/:planId", importUpload],
];
