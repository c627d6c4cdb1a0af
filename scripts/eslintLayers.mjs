// ESLint rule `layers/imports`: which folders of this repository a file may
// import from, and whether it may import Node's built-in modules or given npm
// packages. Relative imports are resolved against the importing file, so
// '../lsp/hover' and '../../lsp/hover' are the same folder wherever they are
// written (pattern rules on the raw string can't tell that apart).
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const builtins = new Set(builtinModules);
/** Paths in the options are relative to the repository (this file is in scripts/), wherever eslint runs from. */
const repo = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** 'server/src/lsp' covers 'server/src/lsp' and everything under it, not 'server/src/lspx'. */
function under(file, folder) {
  return file === folder || file.startsWith(`${folder}/`);
}

function packageName(spec) {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Why `spec`, imported from `file` (both relative to the repository), breaks the layer's options; null if it doesn't. */
export function layerViolation(options, file, spec) {
  const { layer, allowed, denied = [], node = true, deniedPackages = [] } = options;
  if (spec.startsWith('.') || spec.startsWith('/')) {
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)).replace(/\.(ts|js|mjs|cjs)$/, '');
    const own = denied.find((d) => under(target, d));
    if (own) return `${layer} must not import ${own}/ (here: ${target})`;
    if (!allowed.some((a) => under(target, a))) return `${layer} may import only from ${allowed.map((a) => `${a}/`).join(', ')} (here: ${target})`;
    return null;
  }
  const bare = spec.startsWith('node:') ? spec.slice(5) : spec;
  if (spec.startsWith('node:') || builtins.has(bare) || builtins.has(packageName(bare))) {
    return node ? null : `${layer} must not import Node's built-in modules (here: ${spec}): it runs in a browser`;
  }
  const name = packageName(spec);
  if (deniedPackages.includes(name)) return `${layer} must not import ${name}`;
  return null;
}

const optionSchema = {
  type: 'object',
  properties: {
    layer: { type: 'string' },
    allowed: { type: 'array', items: { type: 'string' } },
    denied: { type: 'array', items: { type: 'string' } },
    node: { type: 'boolean' },
    deniedPackages: { type: 'array', items: { type: 'string' } },
  },
  required: ['layer', 'allowed'],
  additionalProperties: false,
};

const importsRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Keep each layer (shared, engine, language server, CLI, extension, webview) to the imports it may have' },
    schema: [optionSchema],
    messages: { layer: '{{why}}' },
  },
  create(context) {
    const options = context.options[0];
    const file = path.relative(repo, context.filename).split(path.sep).join('/');
    const check = (node, source) => {
      if (!source || typeof source.value !== 'string') return;
      const why = layerViolation(options, file, source.value);
      if (why) context.report({ node, messageId: 'layer', data: { why } });
    };
    const isRequire = (n) => n.type === 'CallExpression' && n.callee.type === 'Identifier' && n.callee.name === 'require' && n.arguments[0]?.type === 'Literal';
    return {
      ImportDeclaration: (n) => check(n, n.source),
      ExportNamedDeclaration: (n) => check(n, n.source),
      ExportAllDeclaration: (n) => check(n, n.source),
      ImportExpression: (n) => check(n, n.source.type === 'Literal' ? n.source : null),
      CallExpression: (n) => isRequire(n) && check(n, n.arguments[0]),
      TSImportEqualsDeclaration: (n) => n.moduleReference.type === 'TSExternalModuleReference' && check(n, n.moduleReference.expression),
      TSImportType: (n) => check(n, n.argument?.type === 'TSLiteralType' ? n.argument.literal : (n.source ?? null)),
    };
  },
};

export default { rules: { imports: importsRule } };
