/**
 * The public API is the documented one: what src/index.ts exports is named in the README, no exported
 * declaration has an `any` anywhere in its public shape, Telemetry and Session cannot be constructed
 * from outside, and every catalog event id is a Session method.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { CATALOG } from '../../../src/index.js';

const root = join(import.meta.dirname, '..', '..', '..');
const indexFile = join(root, 'src', 'index.ts');

function program(): { checker: ts.TypeChecker; exports: ts.Symbol[] } {
  const config = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  const prog = ts.createProgram([indexFile], parsed.options);
  const checker = prog.getTypeChecker();
  const source = prog.getSourceFile(indexFile)!;
  return { checker, exports: checker.getExportsOfModule(checker.getSymbolAtLocation(source)!) };
}

const { checker, exports } = program();
const resolved = (symbol: ts.Symbol) => (symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol);
const ownDeclaration = (symbol: ts.Symbol) => (symbol.declarations ?? []).some((d) => d.getSourceFile().fileName.startsWith(join(root, 'src')));
const isPublic = (symbol: ts.Symbol) => !(symbol.declarations ?? []).some((d) =>
  (ts.getCombinedModifierFlags(d) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) !== 0 || (ts.isPropertyDeclaration(d) && ts.isPrivateIdentifier(d.name)));

/** Every place in an exported symbol's public shape where `any` appears (types declared in src/ only). */
function anyIn(symbol: ts.Symbol): string[] {
  const found: string[] = [];
  const seen = new Set<ts.Type>();
  const visit = (type: ts.Type, path: string, depth: number): void => {
    if (type.flags & ts.TypeFlags.Any) {
      found.push(path);
      return;
    }
    if (seen.has(type) || depth > 12) return;
    seen.add(type);
    if (type.isUnionOrIntersection()) return type.types.forEach((t, i) => visit(t, `${path}|${i}`, depth + 1));
    const typeSymbol = type.getSymbol() ?? type.aliasSymbol;
    if (typeSymbol && !ownDeclaration(typeSymbol) && !(type.flags & ts.TypeFlags.Object && (type as ts.ObjectType).objectFlags & ts.ObjectFlags.Anonymous)) return;
    for (const arg of checker.getTypeArguments(type as ts.TypeReference) ?? []) visit(arg, `${path}<>`, depth + 1);
    for (const signature of [...type.getCallSignatures(), ...type.getConstructSignatures()]) {
      for (const parameter of signature.getParameters()) visit(checker.getTypeOfSymbol(parameter), `${path}(${parameter.name})`, depth + 1);
      visit(signature.getReturnType(), `${path}()`, depth + 1);
    }
    if (type.flags & ts.TypeFlags.Object) {
      for (const property of checker.getPropertiesOfType(type)) {
        if (!isPublic(property) || !ownDeclaration(property)) continue;
        visit(checker.getTypeOfSymbol(property), `${path}.${property.name}`, depth + 1);
      }
    }
  };
  const target = resolved(symbol);
  if (target.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias | ts.SymbolFlags.Class)) visit(checker.getDeclaredTypeOfSymbol(target), symbol.name, 0);
  if (target.flags & ts.SymbolFlags.Value) visit(checker.getTypeOfSymbol(target), symbol.name, 0);
  return found;
}

describe('public API (src/index.ts)', () => {
  it('has no `any` in any exported declaration', () => {
    const offenders = exports.flatMap(anyIn);
    expect(offenders).toEqual([]);
  });

  it('exports Telemetry and Session as types only: built by createTelemetry and startSession, never by `new`', () => {
    for (const name of ['Telemetry', 'Session']) {
      const symbol = exports.find((s) => s.name === name)!;
      expect(symbol, name).toBeDefined();
      // A type-only export (`export type { … }`) carries no value: `new Telemetry(…)` does not compile outside.
      expect(checker.getExportSymbolOfSymbol(symbol).declarations?.some((d) => ts.isTypeOnlyImportOrExportDeclaration(d)), name).toBe(true);
    }
  });

  it('names a Session method after every catalog event id', () => {
    const session = resolved(exports.find((s) => s.name === 'Session')!);
    const methods = checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(session)).filter(isPublic).map((p) => p.name);
    for (const id of Object.keys(CATALOG)) expect(methods, id).toContain(id);
  });

  it('documents every export in the README', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const undocumented = exports.map((s) => s.name).filter((name) => !readme.includes(`\`${name}\``));
    expect(undocumented).toEqual([]);
  });
});
