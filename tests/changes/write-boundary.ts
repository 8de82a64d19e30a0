/**
 * Finds every place in the portal's own code (app, lib, components, scripts, root modules) that could send a
 * write to PagerDuty without going through the change pipeline (architecture invariant 1). It uses the
 * TypeScript checker, not text search, so an alias (`const { writes } = client`) or a renamed method is still
 * found, and an unrelated `writes` (the sync's write queue) is not.
 *
 * Rules:
 *  - writes-namespace: touching `PagerDutyClient.writes` (access, element access, destructuring) outside lib/changes.
 *  - write-method: calling a method of `PagerDutyWrites` outside lib/changes.
 *  - raw-request: `client.request(…)` / the client's executor with a method other than a literal "GET", outside
 *    lib/pagerduty/client.ts (where `writes` is implemented) and the access probe below.
 *  - bypass-import: importing the raw transport (`@pagerduty/pdjs`, lib/pagerduty/http, lib/pagerduty/transport)
 *    outside lib/pagerduty.
 *  - raw-fetch: `fetch(url, { method: not GET/HEAD })` to anything but a same-origin path ("/api/…"), outside
 *    lib/pagerduty (whose auth.ts posts to PagerDuty's OAuth token endpoint: not a write to the account).
 */
import path from "node:path";
import ts from "typescript";

export interface Violation {
  /** Path relative to the root, with forward slashes. */
  file: string;
  line: number;
  rule: "writes-namespace" | "write-method" | "raw-request" | "bypass-import" | "raw-fetch";
  text: string;
}

const PIPELINE = "lib/changes/";
const CLIENT = "lib/pagerduty/";
/**
 * Known non-pipeline write-method requests, each with its reason. checkCredential probes whether the key may
 * write by DELETE/PUT on an id PagerDuty cannot have issued (PROBE_ID): the answer (403 vs 400/404) tells
 * the access level and nothing can change.
 */
const RAW_REQUEST_ALLOWED = new Set(["lib/pagerduty/client.ts", "lib/pagerduty/check.ts"]);
const PRODUCTION_DIRS = ["app/", "lib/", "components/", "scripts/"];

function isProductionFile(rel: string): boolean {
  if (rel.startsWith("lib/generated/")) return false;
  if (rel.endsWith(".test.ts") || rel.endsWith(".test.tsx")) return false;
  return PRODUCTION_DIRS.some((d) => rel.startsWith(d)) || !rel.includes("/");
}

export function scanForPagerDutyWrites(root: string): Violation[] {
  const config = ts.readConfigFile(path.join(root, "tsconfig.json"), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  const rel = (file: string) => path.relative(root, file).split(path.sep).join("/");
  const files = parsed.fileNames.filter((f) => !f.includes("/node_modules/") && !f.endsWith(".d.ts") && isProductionFile(rel(f)));
  const program = ts.createProgram(files, { ...parsed.options, incremental: false, noEmit: true, tsBuildInfoFile: undefined });
  const checker = program.getTypeChecker();
  const wanted = new Set(files.map((f) => path.resolve(f)));

  const declaredIn = (symbol: ts.Symbol | undefined, container: string) =>
    (symbol?.declarations ?? []).some((d) => {
      const parent = d.parent;
      return (ts.isInterfaceDeclaration(parent) || ts.isClassDeclaration(parent)) && parent.name?.text === container;
    });
  const writeMethodNames = new Set<string>();
  const clientFile = program.getSourceFile(path.join(root, "lib/pagerduty/client.ts"));
  clientFile?.forEachChild((n) => {
    if (ts.isInterfaceDeclaration(n) && n.name.text === "PagerDutyWrites") for (const m of n.members) if (m.name && ts.isIdentifier(m.name)) writeMethodNames.add(m.name.text);
  });
  if (writeMethodNames.size === 0) throw new Error("PagerDutyWrites not found in lib/pagerduty/client.ts: the scan would prove nothing");

  const violations: Violation[] = [];
  for (const sf of program.getSourceFiles()) {
    if (!wanted.has(path.resolve(sf.fileName))) continue;
    const file = rel(sf.fileName);
    const inPipeline = file.startsWith(PIPELINE);
    const inClient = file.startsWith(CLIENT);
    const report = (node: ts.Node, rule: Violation["rule"]) =>
      violations.push({ file, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, rule, text: node.getText(sf).replace(/\s+/g, " ").slice(0, 120) });

    const visit = (node: ts.Node) => {
      if (!inPipeline) {
        if (ts.isPropertyAccessExpression(node) && node.name.text === "writes" && declaredIn(checker.getSymbolAtLocation(node.name), "PagerDutyClient")) report(node, "writes-namespace");
        if (ts.isElementAccessExpression(node) && ts.isStringLiteralLike(node.argumentExpression) && node.argumentExpression.text === "writes") {
          if (declaredIn(checker.getTypeAtLocation(node.expression).getProperty("writes"), "PagerDutyClient")) report(node, "writes-namespace");
        }
        if (ts.isBindingElement(node) && ts.isObjectBindingPattern(node.parent)) {
          const key = node.propertyName ?? node.name;
          if (ts.isIdentifier(key) && key.text === "writes" && declaredIn(checker.getTypeAtLocation(node.parent).getProperty("writes"), "PagerDutyClient")) report(node, "writes-namespace");
        }
      }
      if (ts.isCallExpression(node)) {
        const callee = node.expression;
        const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : null;
        if (!inPipeline && name && writeMethodNames.has(name) && !(inClient && file === "lib/pagerduty/client.ts")) {
          const declaration = checker.getResolvedSignature(node)?.declaration;
          if (declaration && ts.isInterfaceDeclaration(declaration.parent) && declaration.parent.name.text === "PagerDutyWrites") report(node, "write-method");
        }
        if ((name === "request" || name === "execute") && !RAW_REQUEST_ALLOWED.has(file)) {
          const declaration = checker.getResolvedSignature(node)?.declaration;
          const owner = declaration?.parent;
          const isClient = owner && (ts.isInterfaceDeclaration(owner) || ts.isClassDeclaration(owner)) && (owner.name?.text === "PagerDutyClient" || owner.name?.text === "Executor");
          if (isClient && !isLiteralGet(node.arguments[0])) report(node, "raw-request");
        }
        if (!inClient && name === "fetch" && node.arguments.length >= 2 && !isSameOriginPath(node.arguments[0]) && !isReadMethod(node.arguments[1])) report(node, "raw-fetch");
      }
      if (!inClient && ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
        const spec = node.moduleSpecifier.text;
        if (spec === "@pagerduty/pdjs" || /(^|\/)lib\/pagerduty\/(http|transport)$/.test(spec)) report(node, "bypass-import");
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return violations;
}

function methodOf(arg: ts.Expression | undefined): ts.Expression | null | undefined {
  if (!arg || !ts.isObjectLiteralExpression(arg)) return undefined; // not a literal: unknown method
  const prop = arg.properties.find((p) => p.name && ts.isIdentifier(p.name) && p.name.text === "method");
  if (!prop) return null; // no method: the default, GET
  return ts.isPropertyAssignment(prop) ? prop.initializer : undefined;
}

/** `{ method: "GET", … }` (a request spec): anything else, or a method not written out, counts as a write. */
function isLiteralGet(arg: ts.Expression | undefined): boolean {
  const method = methodOf(arg);
  return method !== undefined && method !== null && ts.isStringLiteralLike(method) && method.text === "GET";
}

function isReadMethod(arg: ts.Expression | undefined): boolean {
  const method = methodOf(arg);
  if (method === null) return true;
  return method !== undefined && ts.isStringLiteralLike(method) && ["GET", "HEAD"].includes(method.text.toUpperCase());
}

function isSameOriginPath(arg: ts.Expression | undefined): boolean {
  if (!arg) return false;
  const text = ts.isStringLiteralLike(arg) ? arg.text : ts.isTemplateExpression(arg) ? arg.head.text : null;
  return text !== null && text.startsWith("/") && !text.startsWith("//");
}
