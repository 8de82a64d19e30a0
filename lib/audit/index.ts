export { appendAudit, recordAudit, type AuditActor, type AuditInput } from "./append";
export { verifyAuditChain, type ChainReport, type ChainBreak } from "./verify";
export { canonicalJson, eventHash, GENESIS_HASH } from "./canonical";
