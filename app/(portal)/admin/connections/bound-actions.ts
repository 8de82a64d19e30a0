import { checkConnection, createConnection, disableConnection, enableConnection, removeConnection, rotateCredential, syncConnectionNow, updateConnection } from "./actions";

/** The connection actions as the page's client components receive them. */
export const connectionActions = {
  create: createConnection,
  update: updateConnection,
  disable: disableConnection,
  enable: enableConnection,
  remove: removeConnection,
  rotate: rotateCredential,
  check: checkConnection,
  syncNow: syncConnectionNow,
};
