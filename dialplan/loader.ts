// Loads the dialplan: the .ts files of its folder transpiled (TypeScript's transpileModule,
// no type check: `tsc --noEmit` does that in the editor or CI) into a fresh versioned folder,
// imported from there, checked, and swapped in with one assignment. Calls hold the version
// they started with. A version that fails to compile or load leaves the current one serving
// and is reported with its file and line. With `watch`, edits are picked up as they are saved.
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { watch, type FSWatcher } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Logger } from 'pino';
import ts from 'typescript';
import { isDialplan } from './define.js';
import { DialplanError } from './errors.js';
import type { LoadedDialplan } from './runner.js';

export interface DialplanLoaderOptions {
  /** The dialplan's entry module; every .ts file in its folder (and below) belongs to it. */
  entry: string;
  /** Where compiled versions are written (one sub-folder per version). */
  buildDir: string;
  logger: Logger;
  /** Reload on change (default true). */
  watch?: boolean;
  /** Quiet time after the last change before reloading (editors write in several steps). */
  debounceMs?: number;
}

/** The bare specifier dialplans import the API by; resolved to this folder's index. */
export const API_SPECIFIER = 'switchyard/dialplan';
const API_URL = new URL('./index.js', import.meta.url).href;
/** Versions kept on disk: the current one and the one before it. */
const KEEP_VERSIONS = 2;

interface Source {
  path: string;
  text: string;
}

export class DialplanLoader extends EventEmitter<{ loaded: [LoadedDialplan]; error: [DialplanError] }> {
  private loaded?: LoadedDialplan;
  /** Why the last attempt failed; cleared by a successful load. */
  private lastError?: DialplanError;
  private version = 0;
  private lastHash = '';
  private watcher?: FSWatcher;
  private timer?: NodeJS.Timeout;
  private loading: Promise<void> = Promise.resolve();
  private readonly root: string;
  private readonly entry: string;
  private readonly log: Logger;

  constructor(private readonly o: DialplanLoaderOptions) {
    super();
    this.entry = resolve(o.entry);
    this.root = dirname(this.entry);
    this.log = o.logger.child({ component: 'dialplan-loader' });
    // Stack traces from dialplan code point at the .ts file and line.
    process.setSourceMapsEnabled(true);
  }

  /** The version new calls get. */
  get current(): LoadedDialplan | undefined {
    return this.loaded;
  }

  /** Loads the first version (rejects if it fails), then watches for edits. */
  async start(): Promise<LoadedDialplan> {
    await this.reload();
    if (!this.loaded) throw this.lastError ?? new DialplanError('invalid-dialplan', `no dialplan loaded from ${this.entry}`);
    if (this.o.watch !== false) {
      this.watcher = watch(this.root, { recursive: true }, (_event, name) => {
        if (name && !String(name).endsWith('.ts')) return;
        clearTimeout(this.timer);
        this.timer = setTimeout(() => void this.reload(), this.o.debounceMs ?? 100);
      });
    }
    return this.loaded;
  }

  stop(): void {
    this.watcher?.close();
    clearTimeout(this.timer);
  }

  /** Compiles and loads the files as they are now; serialised so versions land in order. */
  reload(): Promise<void> {
    this.loading = this.loading.then(() => this.loadOnce());
    return this.loading;
  }

  private async loadOnce(): Promise<void> {
    try {
      const sources = await this.readSources(this.root);
      const hash = createHash('sha256');
      for (const s of sources) hash.update(s.path).update('\0').update(s.text).update('\0');
      const digest = hash.digest('hex');
      if (digest === this.lastHash) return;
      const version = this.version + 1;
      const dir = join(this.o.buildDir, `v${version}-${digest.slice(0, 8)}`);
      await this.compile(sources, dir);
      const entryUrl = pathToFileURL(join(dir, relative(this.root, this.entry).replace(/\.ts$/, '.js'))).href;
      let mod: { default?: unknown };
      try {
        mod = (await import(entryUrl)) as { default?: unknown };
      } catch (err) {
        throw new DialplanError('invalid-dialplan', `${this.entry}: failed to load: ${describeLoadError(err)}`);
      }
      if (!isDialplan(mod.default)) {
        throw new DialplanError('invalid-dialplan', `${this.entry}: the default export must be defineDialplan({...})`);
      }
      this.version = version;
      this.lastHash = digest;
      this.loaded = { dialplan: mod.default, version, file: this.entry };
      this.lastError = undefined;
      this.log.info({ file: this.entry, version }, 'dialplan loaded');
      this.emit('loaded', this.loaded);
      await this.prune();
    } catch (err) {
      const error = err instanceof DialplanError ? err : new DialplanError('invalid-dialplan', String(err));
      this.lastError = error;
      this.log.error({ err: error, keeping: this.loaded?.version ?? null }, `dialplan not loaded: ${error.message}`);
      this.emit('error', error);
    }
  }

  private async readSources(dir: string): Promise<Source[]> {
    const out: Source[] = [];
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) out.push(...(await this.readSources(path)));
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push({ path, text: await readFile(path, 'utf8') });
    }
    return out.sort((a, b) => a.path.localeCompare(b.path));
  }

  /** Transpiles every source into `dir`; a syntax error anywhere fails the whole version. */
  private async compile(sources: Source[], dir: string): Promise<void> {
    const outputs: { path: string; text: string }[] = [];
    for (const source of sources) {
      const result = ts.transpileModule(source.text, {
        fileName: source.path,
        reportDiagnostics: true,
        compilerOptions: {
          module: ts.ModuleKind.ESNext,
          target: ts.ScriptTarget.ES2022,
          rewriteRelativeImportExtensions: true,
          sourceMap: true,
        },
        transformers: { before: [rewriteApiImports] },
      });
      const error = result.diagnostics?.find((d) => d.category === ts.DiagnosticCategory.Error);
      if (error) throw new DialplanError('invalid-dialplan', formatDiagnostic(error, source.path));
      const map = JSON.parse(result.sourceMapText ?? '{}') as { sources?: string[] };
      map.sources = [pathToFileURL(source.path).href];
      const code = result.outputText.replace(/\/\/# sourceMappingURL=.*$/m, '');
      const inline = Buffer.from(JSON.stringify(map)).toString('base64');
      outputs.push({ path: join(dir, relative(this.root, source.path).replace(/\.ts$/, '.js')), text: `${code}//# sourceMappingURL=data:application/json;base64,${inline}\n` });
    }
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'package.json'), '{"type":"module"}\n');
    for (const out of outputs) {
      await mkdir(dirname(out.path), { recursive: true });
      await writeFile(out.path, out.text);
    }
  }

  /** Removes compiled versions older than the last KEEP_VERSIONS (their modules stay in memory). */
  private async prune(): Promise<void> {
    const dirs = (await readdir(this.o.buildDir)).filter((d) => /^v\d+-/.test(d));
    const old = dirs.filter((d) => Number(d.slice(1, d.indexOf('-'))) <= this.version - KEEP_VERSIONS);
    await Promise.all(old.map((d) => rm(join(this.o.buildDir, d), { recursive: true, force: true })));
  }
}

function formatDiagnostic(d: ts.Diagnostic, path: string): string {
  const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
  if (!d.file || d.start === undefined) return `${path}: ${text}`;
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  return `${path}:${line + 1}:${character + 1}: ${text}`;
}

/** The first stack frame in a dialplan source (thanks to the source map), with the message. */
function describeLoadError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const frame = err.stack?.split('\n').find((l) => /\.ts:\d+:\d+/.test(l));
  const where = frame ? ` (at ${frame.trim().replace(/^at /, '')})` : '';
  return `${err.message}${where}`;
}

/** Points `import ... from 'switchyard/dialplan'` at this engine's dialplan API. */
const rewriteApiImports: ts.TransformerFactory<ts.SourceFile> = (context) => (file) => {
  const f = context.factory;
  const fix = (spec: ts.Expression | undefined): ts.Expression | undefined =>
    spec && ts.isStringLiteral(spec) && spec.text === API_SPECIFIER ? f.createStringLiteral(API_URL) : spec;
  const visit = (node: ts.Node): ts.Node => {
    if (ts.isImportDeclaration(node)) {
      return f.updateImportDeclaration(node, node.modifiers, node.importClause, fix(node.moduleSpecifier)!, node.attributes);
    }
    if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      return f.updateExportDeclaration(node, node.modifiers, node.isTypeOnly, node.exportClause, fix(node.moduleSpecifier), node.attributes);
    }
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments.length) {
      return f.updateCallExpression(node, node.expression, node.typeArguments, [fix(node.arguments[0])!, ...node.arguments.slice(1)]);
    }
    return ts.visitEachChild(node, visit, context);
  };
  return ts.visitEachChild(file, visit, context);
};
