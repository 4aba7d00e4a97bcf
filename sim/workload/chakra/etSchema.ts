/**
 * The part of Chakra's execution-trace schema ethersim reads, written from the public
 * `schema/protobuf/et_def.proto` of mlcommons/chakra (proto3, package ChakraProtoMsg): the
 * messages, field numbers and types as there; the list types ethersim does not read, the
 * storage messages and `Node.storage` are left out (protobuf readers skip unknown fields).
 * docs/reference/collectives.md §4 says which fields are used.
 */
export const ET_SCHEMA = `
syntax = "proto3";
package ChakraProtoMsg;

message AttributeProto {
  string name = 1;
  string doc_string = 2;
  oneof value {
    double double_val = 3;
    float float_val = 5;
    int32 int32_val = 7;
    int64 int64_val = 9;
    uint32 uint32_val = 11;
    uint64 uint64_val = 13;
    sint32 sint32_val = 15;
    sint64 sint64_val = 17;
    fixed32 fixed32_val = 19;
    fixed64 fixed64_val = 21;
    sfixed32 sfixed32_val = 23;
    sfixed64 sfixed64_val = 25;
    bool bool_val = 27;
    BoolList bool_list = 28;
    string string_val = 29;
  }
}

message BoolList {
  repeated bool values = 1;
}

message GlobalMetadata {
  string version = 1;
  repeated AttributeProto attr = 2;
}

enum NodeType {
  INVALID_NODE = 0;
  METADATA_NODE = 1;
  MEM_LOAD_NODE = 2;
  MEM_STORE_NODE = 3;
  COMP_NODE = 4;
  COMM_SEND_NODE = 5;
  COMM_RECV_NODE = 6;
  COMM_COLL_NODE = 7;
  STORAGE_NODE = 8;
  BATCH_NODE = 9;
  CHECKPOINT_NODE = 10;
}

enum CollectiveCommType {
  ALL_REDUCE = 0;
  REDUCE = 1;
  ALL_GATHER = 2;
  GATHER = 3;
  SCATTER = 4;
  BROADCAST = 5;
  ALL_TO_ALL = 6;
  REDUCE_SCATTER = 7;
  REDUCE_SCATTER_BLOCK = 8;
  BARRIER = 9;
}

message Node {
  uint64 id = 1;
  string name = 2;
  NodeType type = 3;
  repeated uint64 ctrl_deps = 4;
  repeated uint64 data_deps = 5;
  uint64 start_time_micros = 6;
  uint64 duration_micros = 7;
  IOInfo inputs = 8;
  IOInfo outputs = 9;
  repeated AttributeProto attr = 10;
}

message IOInfo {
  string values = 1;
  string shapes = 2;
  string types = 3;
}
`;

export const NODE_TYPE = {
  INVALID: 0,
  METADATA: 1,
  MEM_LOAD: 2,
  MEM_STORE: 3,
  COMP: 4,
  COMM_SEND: 5,
  COMM_RECV: 6,
  COMM_COLL: 7,
} as const;

export const COMM_TYPE = {
  ALL_REDUCE: 0,
  REDUCE: 1,
  ALL_GATHER: 2,
  GATHER: 3,
  SCATTER: 4,
  BROADCAST: 5,
  ALL_TO_ALL: 6,
  REDUCE_SCATTER: 7,
  REDUCE_SCATTER_BLOCK: 8,
  BARRIER: 9,
} as const;
