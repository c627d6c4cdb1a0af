/**
 * The JSON Schema (draft 2020-12) of `analyze --json` and `compare --json`,
 * generated from the TypeScript declarations in shared/ with the compiler's
 * own type checker, so the schema says what the types say.
 *
 *   node scripts/contract-schema.mjs          rewrite shared/contract.schema.json
 *   node scripts/contract-schema.mjs --check  exit 1 if it is out of date
 *
 * test/engine/contractSchema.test.ts runs the check, so a type that gains or
 * loses a field without the schema following fails the tests.
 *
 * JSDoc tags on properties carry what JSON adds to the type:
 *   @withRanges       written only with --ranges: not required in the schema
 *   @withNames        written only with --names: not required in the schema
 *   @withRaw          written only with --raw-fingerprints: not required in the schema
 *   @jsonItemsAlso T  an array whose items may also be the shared type T in JSON
 *   @nonFiniteAsNull  NaN / Infinity in memory, written as null
 *   @jsonMayOmit      left out of --json when another field says the same (documented on the field): not required
 *   @jsonDefault V    left out of --json when it holds V (JSON) unless --full: not required, "default": V
 * A @jsonMayOmit or @jsonDefault property's own comment becomes its "description" (when to expect it absent).
 */
import ts from 'typescript';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SHARED = join(ROOT, 'shared');
export const SCHEMA_PATH = join(SHARED, 'contract.schema.json');

export function generateContractSchema() {
  const files = ['analysis.ts', 'compare.ts'].map((f) => join(SHARED, f));
  const program = ts.createProgram(files, { strict: true, target: ts.ScriptTarget.ES2022, noEmit: true, skipLibCheck: true, types: [] });
  const checker = program.getTypeChecker();
  const defs = {};
  const inProgress = new Set();

  const fromShared = (decl) => !!decl && resolve(decl.getSourceFile().fileName).startsWith(SHARED);
  /** A name for $defs when the type is an interface or alias declared in shared/. */
  function nameOf(type) {
    const alias = type.aliasSymbol;
    if (alias && !type.aliasTypeArguments && fromShared(alias.declarations?.[0])) return alias.name;
    const sym = type.getSymbol();
    if (sym && (sym.flags & ts.SymbolFlags.Interface) && fromShared(sym.declarations?.[0])) return sym.name;
    return null;
  }

  function ref(type) {
    const name = nameOf(type);
    if (!name) return build(type);
    if (!defs[name] && !inProgress.has(name)) {
      inProgress.add(name);
      defs[name] = build(type);
      inProgress.delete(name);
    }
    return { $ref: `#/$defs/${name}` };
  }

  function build(type) {
    const f = type.flags;
    if (f & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return {};
    if (f & (ts.TypeFlags.Never | ts.TypeFlags.Undefined)) return false; // never written
    if (f & ts.TypeFlags.String) return { type: 'string' };
    if (f & ts.TypeFlags.Number) return { type: 'number' };
    if (f & ts.TypeFlags.Boolean) return { type: 'boolean' };
    if (f & ts.TypeFlags.Null) return { type: 'null' };
    if (f & ts.TypeFlags.StringLiteral) return { const: type.value };
    if (f & ts.TypeFlags.NumberLiteral) return { const: type.value };
    if (f & ts.TypeFlags.BooleanLiteral) return { const: type.intrinsicName === 'true' };
    if (f & ts.TypeFlags.Union) return union(type.types);
    if (checker.isTupleType(type)) {
      const items = checker.getTypeArguments(type).map(ref);
      return { type: 'array', prefixItems: items, minItems: items.length, maxItems: items.length };
    }
    if (checker.isArrayType(type)) return { type: 'array', items: ref(checker.getTypeArguments(type)[0]) };
    if (f & (ts.TypeFlags.Object | ts.TypeFlags.Intersection)) return object(type);
    throw new Error(`contract-schema: no JSON form for type ${checker.typeToString(type)}`);
  }

  function union(types) {
    const members = types.filter((t) => !(t.flags & ts.TypeFlags.Undefined));
    if (members.length === 0) return false; // only `undefined`: the property is never written
    const hasTrue = members.some((t) => t.flags & ts.TypeFlags.BooleanLiteral && t.intrinsicName === 'true');
    const hasFalse = members.some((t) => t.flags & ts.TypeFlags.BooleanLiteral && t.intrinsicName === 'false');
    const rest = hasTrue && hasFalse ? members.filter((t) => !(t.flags & ts.TypeFlags.BooleanLiteral)) : members;
    const schemas = rest.map(ref);
    if (hasTrue && hasFalse) schemas.push({ type: 'boolean' });
    if (schemas.length === 1) return schemas[0];
    // Literal unions (e.g. 'client' | 'server', optionally | null) read better as an enum.
    if (schemas.every((s) => 'const' in s || (s.type === 'null' && Object.keys(s).length === 1))) {
      return { enum: schemas.map((s) => ('const' in s ? s.const : null)) };
    }
    return { anyOf: schemas };
  }

  function object(type) {
    const out = { type: 'object' };
    const props = checker.getPropertiesOfType(type);
    const properties = {};
    const required = [];
    for (const p of props) {
      const decl = p.valueDeclaration ?? p.declarations?.[0];
      const jsDoc = decl ? ts.getJSDocTags(decl) : [];
      const tags = jsDoc.map((t) => t.tagName.text);
      let s = ref(checker.getTypeOfSymbol(p));
      if (tags.includes('nonFiniteAsNull')) s = { anyOf: [s, { type: 'null' }] };
      const also = jsDoc.find((t) => t.tagName.text === 'jsonItemsAlso');
      if (also) {
        const name = String(ts.getTextOfJSDocComment(also.comment) ?? '').trim();
        if (s.type !== 'array') throw new Error(`contract-schema: @jsonItemsAlso on ${p.name}, which is not an array`);
        s = { ...s, items: { anyOf: [s.items, named(name)] } };
      }
      const dflt = jsDoc.find((t) => t.tagName.text === 'jsonDefault');
      if (dflt) s = { ...s, default: JSON.parse(String(ts.getTextOfJSDocComment(dflt.comment) ?? '').trim()) };
      // A field --json may leave out says when, so a reader of the schema alone knows how to restore it.
      const doc = ts.displayPartsToString(p.getDocumentationComment(checker)).trim();
      if (doc && (dflt || tags.includes('jsonMayOmit'))) s = { ...s, description: doc };
      properties[p.name] = s;
      if (!(p.flags & ts.SymbolFlags.Optional) && !dflt && !tags.some((t) => t === 'jsonMayOmit' || t === 'withRanges' || t === 'withNames' || t === 'withRaw')) required.push(p.name);
    }
    const index = checker.getIndexInfoOfType(type, ts.IndexKind.String);
    if (props.length > 0 || !index) {
      out.properties = properties;
      if (required.length > 0) out.required = required;
    }
    out.additionalProperties = index ? ref(index.type) : false;
    return out;
  }

  const root = (file, name) => {
    const sf = program.getSourceFile(join(SHARED, file));
    const sym = checker.getExportsOfModule(checker.getSymbolAtLocation(sf)).find((s) => s.name === name);
    if (!sym) throw new Error(`contract-schema: ${name} is not exported by shared/${file}`);
    return ref(checker.getDeclaredTypeOfSymbol(sym));
  };
  function named(name) {
    return root('analysis.ts', name);
  }
  const analysis = root('analysis.ts', 'AnalysisReport');
  const failed = root('analysis.ts', 'FailedAnalysisReport');
  const compare = root('compare.ts', 'CompareReport');
  const sorted = Object.fromEntries(Object.keys(defs).sort().map((k) => [k, defs[k]]));
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'handshake-inspector analyze --json / compare --json',
    description: 'Generated from shared/analysis.ts and shared/compare.ts by scripts/contract-schema.mjs; do not edit by hand.',
    oneOf: [analysis, failed, compare],
    $defs: sorted,
  };
}

export function schemaText() {
  return `${JSON.stringify(generateContractSchema(), null, 2)}\n`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const text = schemaText();
  if (process.argv.includes('--check')) {
    let current = '';
    try { current = readFileSync(SCHEMA_PATH, 'utf8'); } catch { /* missing counts as stale */ }
    if (current !== text) {
      process.stderr.write(`${SCHEMA_PATH} is out of date: run node scripts/contract-schema.mjs\n`);
      process.exit(1);
    }
  } else {
    writeFileSync(SCHEMA_PATH, text);
    process.stdout.write(`wrote ${SCHEMA_PATH}\n`);
  }
}
