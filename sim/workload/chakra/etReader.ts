import protobuf from 'protobufjs';
import { InputError } from '../../scenario/inputError.ts';
import { ET_SCHEMA } from './etSchema.ts';

/**
 * Chakra execution traces (.et): a sequence of records, each a varint32 length then one
 * serialised protobuf message; the first a GlobalMetadata, every later one a Node; no magic
 * number (mlcommons/chakra src/third_party/utils/protolib.py encodeMessage/decodeMessage,
 * docs/reference/collectives.md §4). Decoded with protobufjs against the schema in etSchema.ts.
 */

export type AttrValue = number | string | boolean | boolean[];

export interface EtNode {
  id: number;
  name: string;
  type: number;
  /** data_deps then ctrl_deps: both must complete first (ASTRA-sim's FeederV3 resolves both). */
  deps: number[];
  durationMicros: number;
  attrs: Map<string, AttrValue>;
}

export interface EtTrace {
  version: string;
  nodes: EtNode[];
}

let types: { meta: protobuf.Type; node: protobuf.Type } | null = null;

/** The two message types, parsed from the schema once. */
export function etTypes(): { meta: protobuf.Type; node: protobuf.Type } {
  if (types === null) {
    const root = protobuf.parse(ET_SCHEMA, { keepCase: true }).root;
    types = {
      meta: root.lookupType('ChakraProtoMsg.GlobalMetadata'),
      node: root.lookupType('ChakraProtoMsg.Node'),
    };
  }
  return types;
}

const ATTR_FIELDS = [
  'double_val',
  'float_val',
  'int32_val',
  'int64_val',
  'uint32_val',
  'uint64_val',
  'sint32_val',
  'sint64_val',
  'fixed32_val',
  'fixed64_val',
  'sfixed32_val',
  'sfixed64_val',
  'bool_val',
  'string_val',
] as const;

function attrValue(a: Record<string, unknown>): AttrValue | undefined {
  for (const f of ATTR_FIELDS) if (a[f] !== undefined && a[f] !== null) return a[f] as AttrValue;
  const list = a.bool_list as { values?: boolean[] } | undefined;
  if (list) return list.values ?? [];
  return undefined;
}

/** Decode one rank's trace; errors name the file and the record. */
export function readEt(bytes: Uint8Array, where: string): EtTrace {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b)
    throw new InputError(`${where}: a gzip-compressed trace; decompress it first (gunzip)`);
  const { meta, node } = etTypes();
  const reader = protobuf.Reader.create(bytes);
  const opts = { longs: Number, enums: Number, defaults: true, arrays: true, oneofs: false };
  let version = '';
  const nodes: EtNode[] = [];
  let record = 0;
  try {
    if (reader.pos < reader.len) {
      version = String((meta.toObject(meta.decodeDelimited(reader), opts) as { version: string }).version);
      record++;
    }
    while (reader.pos < reader.len) {
      const n = node.toObject(node.decodeDelimited(reader), opts) as {
        id: number;
        name: string;
        type: number;
        ctrl_deps: number[];
        data_deps: number[];
        duration_micros: number;
        attr: Array<Record<string, unknown>>;
      };
      const attrs = new Map<string, AttrValue>();
      for (const a of n.attr) {
        const v = attrValue(a);
        if (v !== undefined) attrs.set(String(a.name), v);
      }
      nodes.push({
        id: n.id,
        name: n.name,
        type: n.type,
        deps: [...n.data_deps, ...n.ctrl_deps],
        durationMicros: n.duration_micros,
        attrs,
      });
      record++;
    }
  } catch (e) {
    throw new InputError(`${where}: not a Chakra execution trace (record ${record}: ${(e as Error).message})`);
  }
  return { version, nodes };
}

/** Encode a trace (GlobalMetadata, then the nodes, each length-delimited) from plain objects in the schema's field names. */
export function writeEt(version: string, nodes: Array<Record<string, unknown>>): Uint8Array {
  const { meta, node } = etTypes();
  const w = protobuf.Writer.create();
  meta.encodeDelimited(meta.fromObject({ version }), w);
  for (const n of nodes) node.encodeDelimited(node.fromObject(n), w);
  return w.finish();
}

/** A string of one character per byte (readText's 'latin1') as bytes. */
export function latin1Bytes(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 0xff;
  return b;
}
