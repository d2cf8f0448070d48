// Decoders for frozen TensorFlow graphs: binary GraphDef (.pb, via protobufjs) and its protobuf text form
// (.pbtxt, a small text-format parser driven by the same protobufjs schema). Both return the same plain object.
import protobuf from 'protobufjs';
import { ModelFormatError } from '../errors.ts';
import { GraphDefType, TO_OBJECT_OPTIONS, type GraphObj } from './schema.ts';

export function decodeGraphBinary(bytes: Uint8Array): GraphObj {
  let msg: protobuf.Message;
  try {
    msg = GraphDefType.decode(bytes);
  } catch (e) {
    throw new ModelFormatError(
      `Not a valid binary TensorFlow GraphDef (.pb): ${(e as Error).message}. ` +
        'Expected a model frozen with "dp freeze" (binary protobuf) or its text form (.pbtxt).',
    );
  }
  return GraphDefType.toObject(msg, TO_OBJECT_OPTIONS) as GraphObj;
}

const utf8 = new TextDecoder('utf-8');
const MAX_DEPTH = 64;

/** Protobuf text format parser over raw bytes (strings are C-escaped byte strings). */
class TextParser {
  private pos = 0;
  constructor(private readonly buf: Uint8Array) {}

  fail(msg: string): never {
    let line = 1;
    for (let i = 0; i < this.pos && i < this.buf.length; i++) if (this.buf[i] === 10) line++;
    throw new ModelFormatError(`Not a valid TensorFlow GraphDef text file (.pbtxt): ${msg} at line ${line}.`);
  }

  private skipSpace(): void {
    const b = this.buf;
    while (this.pos < b.length) {
      const c = b[this.pos];
      if (c === 32 || c === 9 || c === 10 || c === 13 || c === 44 || c === 59) this.pos++; // space, tab, nl, cr, ',', ';'
      else if (c === 35) { // '#' comment
        while (this.pos < b.length && b[this.pos] !== 10) this.pos++;
      } else break;
    }
  }

  private peek(): number {
    this.skipSpace();
    return this.pos < this.buf.length ? this.buf[this.pos] : -1;
  }

  private word(): string {
    this.skipSpace();
    const b = this.buf;
    const start = this.pos;
    while (this.pos < b.length) {
      const c = b[this.pos];
      const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 45 || c === 43;
      if (!ok) break;
      this.pos++;
    }
    if (this.pos === start) this.fail(`unexpected character "${String.fromCharCode(b[this.pos] ?? 32)}"`);
    let s = '';
    for (let i = start; i < this.pos; i++) s += String.fromCharCode(b[i]);
    return s;
  }

  /** One or more adjacent quoted strings, unescaped to bytes. */
  private bytesValue(): Uint8Array {
    const out: number[] = [];
    const b = this.buf;
    while (this.peek() === 34 || this.peek() === 39) {
      const quote = b[this.pos++];
      for (;;) {
        if (this.pos >= b.length) this.fail('unterminated string');
        const c = b[this.pos++];
        if (c === quote) break;
        if (c !== 92) { out.push(c); continue; }
        const e = b[this.pos++];
        if (e >= 48 && e <= 55) { // octal, up to 3 digits
          let v = e - 48;
          for (let k = 0; k < 2 && b[this.pos] >= 48 && b[this.pos] <= 55; k++) v = v * 8 + (b[this.pos++] - 48);
          out.push(v & 255);
        } else if (e === 120) { // \x hex, up to 2 digits
          let v = 0;
          let n = 0;
          for (; n < 2; n++) {
            const h = b[this.pos];
            const d = h >= 48 && h <= 57 ? h - 48 : h >= 97 && h <= 102 ? h - 87 : h >= 65 && h <= 70 ? h - 55 : -1;
            if (d < 0) break;
            v = v * 16 + d;
            this.pos++;
          }
          if (n === 0) this.fail('bad \\x escape');
          out.push(v);
        } else {
          const map: Record<number, number> = { 110: 10, 116: 9, 114: 13, 97: 7, 98: 8, 102: 12, 118: 11, 92: 92, 39: 39, 34: 34, 63: 63 };
          const v = map[e];
          if (v === undefined) this.fail(`bad escape \\${String.fromCharCode(e)}`);
          out.push(v);
        }
      }
    }
    return Uint8Array.from(out);
  }

  private scalar(field: protobuf.Field): unknown {
    const c = this.peek();
    if (c === 34 || c === 39) {
      const bytes = this.bytesValue();
      return field.type === 'bytes' ? bytes : utf8.decode(bytes);
    }
    const w = this.word();
    if (field.resolvedType instanceof protobuf.Enum) {
      if (/^-?\d+$/.test(w)) return Number(w);
      if (!(w in field.resolvedType.values)) this.fail(`unknown ${field.resolvedType.name} value ${w}`);
      return w;
    }
    switch (field.type) {
      case 'bool':
        if (w === 'true' || w === 't' || w === '1' || w === 'True') return true;
        if (w === 'false' || w === 'f' || w === '0' || w === 'False') return false;
        return this.fail(`bad bool ${w}`);
      case 'float':
      case 'double': {
        const lw = w.toLowerCase().replace(/f$/, '');
        if (lw === 'inf' || lw === 'infinity' || lw === '+inf') return Infinity;
        if (lw === '-inf' || lw === '-infinity') return -Infinity;
        if (lw === 'nan' || lw === '-nan') return NaN;
        const v = Number(lw);
        if (Number.isNaN(v)) this.fail(`bad number ${w}`);
        return field.type === 'float' ? Math.fround(v) : v;
      }
      case 'string':
      case 'bytes':
        return this.fail(`expected a quoted string, found ${w}`);
      default: {
        const v = Number(w);
        if (!Number.isFinite(v) || !Number.isInteger(v)) this.fail(`bad integer ${w}`);
        return v;
      }
    }
  }

  private skipValue(depth: number): void {
    const c = this.peek();
    if (c === 123 || c === 60) this.skipBlock(depth);
    else if (c === 91) {
      this.pos++;
      while (this.peek() !== 93) {
        if (this.peek() === -1) this.fail('unterminated list');
        this.skipValue(depth);
      }
      this.pos++;
    } else if (c === 34 || c === 39) this.bytesValue();
    else this.word();
  }

  private skipBlock(depth: number): void {
    if (depth > MAX_DEPTH) this.fail('nesting too deep');
    const close = this.buf[this.pos++] === 123 ? 125 : 62;
    while (this.peek() !== close) {
      if (this.peek() === -1) this.fail('unterminated block');
      this.fieldName();
      if (this.peek() === 58) this.pos++;
      this.skipValue(depth + 1);
    }
    this.pos++;
  }

  private fieldName(): string {
    if (this.peek() === 91) { // [extension.name]
      const start = this.pos;
      while (this.pos < this.buf.length && this.buf[this.pos] !== 93) this.pos++;
      this.pos++;
      return utf8.decode(this.buf.subarray(start, this.pos));
    }
    return this.word();
  }

  /** Parses fields until `close` (a byte) or end of input (close = -1). */
  message(type: protobuf.Type, close: number, depth: number): Record<string, unknown> {
    if (depth > MAX_DEPTH) this.fail('nesting too deep');
    const obj: Record<string, unknown> = {};
    for (;;) {
      const c = this.peek();
      if (c === close) {
        if (close !== -1) this.pos++;
        return obj;
      }
      if (c === -1) this.fail('unexpected end of file');
      const name = this.fieldName();
      if (this.peek() === 58) this.pos++; // ':'
      const field = type.fields[name];
      if (!field) {
        this.skipValue(depth);
        continue;
      }
      field.resolve();
      const readOne = (): unknown => {
        const v = this.peek();
        if (v === 123 || v === 60) {
          const end = this.buf[this.pos++] === 123 ? 125 : 62;
          if (field instanceof protobuf.MapField) return this.mapEntry(field, end, depth + 1);
          if (!(field.resolvedType instanceof protobuf.Type)) this.fail(`field ${name} is not a message`);
          return this.message(field.resolvedType, end, depth + 1);
        }
        return this.scalar(field);
      };
      const values: unknown[] = [];
      if (this.peek() === 91) {
        this.pos++;
        while (this.peek() !== 93) {
          if (this.peek() === -1) this.fail('unterminated list');
          values.push(readOne());
        }
        this.pos++;
      } else values.push(readOne());
      if (field instanceof protobuf.MapField) {
        const m = (obj[name] ??= {}) as Record<string, unknown>;
        for (const [k, v] of values as [string, unknown][]) m[k] = v;
      } else if (field.repeated) {
        ((obj[name] ??= []) as unknown[]).push(...values);
      } else obj[name] = values[values.length - 1];
    }
  }

  private mapEntry(field: protobuf.MapField, close: number, depth: number): [string, unknown] {
    let key = '';
    let value: unknown = {};
    while (this.peek() !== close) {
      if (this.peek() === -1) this.fail('unterminated map entry');
      const n = this.word();
      if (this.peek() === 58) this.pos++;
      if (n === 'key') key = String(this.scalar(new protobuf.Field('key', 1, field.keyType)));
      else if (n === 'value') {
        const v = this.peek();
        if ((v === 123 || v === 60) && field.resolvedType instanceof protobuf.Type) {
          const end = this.buf[this.pos++] === 123 ? 125 : 62;
          value = this.message(field.resolvedType, end, depth + 1);
        } else value = this.scalar(field as unknown as protobuf.Field);
      } else this.skipValue(depth);
    }
    this.pos++;
    return [key, value];
  }
}

export function decodeGraphText(bytes: Uint8Array): GraphObj {
  try {
    return new TextParser(bytes).message(GraphDefType, -1, 0) as GraphObj;
  } catch (e) {
    if (e instanceof ModelFormatError) throw e;
    throw new ModelFormatError(`Not a valid TensorFlow GraphDef text file (.pbtxt): ${(e as Error).message}`);
  }
}
