export { appendAudit, recordAudit, type AuditActor, type AuditInput } from "./append";
export { verifyAuditChain, type ChainReport, type ChainBreak, type ChainBreakReason } from "./verify";
export { canonicalJson, eventHash, GENESIS_HASH } from "./canonical";
export { requestContext, contextFromHeaders, type AuditRequestContext } from "./context";
