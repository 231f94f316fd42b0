export interface Instruction {
  keyword: string;
  /** Flags such as --from=build, --mount=..., in order. */
  flags: string[];
  /** The rest of the instruction, flags removed. */
  args: string;
  /** Index of the stage the instruction belongs to (-1 before the first FROM). */
  stage: number;
}

export interface Stage {
  index: number;
  image: string;
  name: string | undefined;
}

export interface Dockerfile {
  directives: Record<string, string>;
  args: Record<string, string>;
  stages: Stage[];
  instructions: Instruction[];
}

/**
 * Reads a Dockerfile into instructions and stages: parser directives, line continuations,
 * comments, global ARG defaults for FROM. Enough for static checks, not a full frontend.
 */
export function parseDockerfile(text: string): Dockerfile {
  const lines = text.split('\n');
  const directives: Record<string, string> = {};
  let i = 0;
  for (; i < lines.length; i++) {
    const directive = /^#\s*([a-z]+)\s*=\s*(\S+)\s*$/i.exec(lines[i] ?? '');
    if (directive === null) break;
    directives[(directive[1] ?? '').toLowerCase()] = directive[2] ?? '';
  }
  const logical: string[] = [];
  let current = '';
  for (const raw of lines.slice(i)) {
    const line = raw.trimEnd();
    if (/^\s*#/.test(line)) continue;
    if (line.endsWith('\\')) {
      current += line.slice(0, -1) + ' ';
      continue;
    }
    current += line;
    if (current.trim() !== '') logical.push(current.trim());
    current = '';
  }
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  const instructions: Instruction[] = [];
  for (const line of logical) {
    const [, keyword = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const words = rest.split(/\s+/);
    const flags: string[] = [];
    while (words[0]?.startsWith('--')) flags.push(words.shift() as string);
    const instruction: Instruction = { keyword: keyword.toUpperCase(), flags, args: words.join(' '), stage: stages.length - 1 };
    if (instruction.keyword === 'ARG' && stages.length === 0) {
      const [argName = '', value = ''] = instruction.args.split('=');
      args[argName] = value;
    }
    if (instruction.keyword === 'FROM') {
      const [image = '', as, stageName] = instruction.args.split(/\s+/);
      const resolved = image.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, arg: string) => args[arg] ?? '');
      stages.push({ index: stages.length, image: resolved, name: as?.toUpperCase() === 'AS' ? stageName : undefined });
      instruction.stage = stages.length - 1;
    }
    instructions.push(instruction);
  }
  return { directives, args, stages, instructions };
}

/** The value of a flag such as --from=build, or undefined. */
export function flag(instruction: Instruction, flagName: string): string | undefined {
  const found = instruction.flags.find((f) => f.startsWith(`--${flagName}=`));
  return found?.slice(flagName.length + 3);
}

/** Whether a context path is excluded by .dockerignore patterns (last matching pattern wins). */
export function isIgnored(patterns: readonly string[], path: string): boolean {
  let ignored = false;
  for (const rawPattern of patterns) {
    const negated = rawPattern.startsWith('!');
    const pattern = (negated ? rawPattern.slice(1) : rawPattern).replace(/^\/+/, '').replace(/\/+$/, '');
    const source = pattern
      .split('/')
      .map((part) => (part === '**' ? '.*' : part.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')))
      .join('/')
      .replace(/\.\*\//g, '(?:.*/)?');
    // A pattern matching a directory excludes everything below it.
    if (new RegExp(`^${source}(?:/.*)?$`).test(path)) ignored = !negated;
  }
  return ignored;
}

export function readIgnorePatterns(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}
