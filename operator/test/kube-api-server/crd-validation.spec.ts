import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { describeCauses, validateCustomResourceDefinition } from './crd-validation.ts';

/**
 * Conformance table: upstream's own CRD validation cases, each with its input (the schema, verbatim
 * as upstream writes it) and the violations upstream expects, run through our port.
 *
 * Upstream writes the path of a violation two ways: `spec.validation.openAPIV3Schema` (create errors)
 * and `spec.versions[0].schema.openAPIV3Schema` (the v1beta1 NonStructuralSchema condition). A v1 CRD
 * whose versions share one schema is converted with that schema hoisted to spec.validation, which is
 * where kube-apiserver reports it (issue 14's error says `spec.validation.openAPIV3Schema...`), so the
 * second form is compared as the first.
 */

const INTEGRATION =
  'staging/src/k8s.io/apiextensions-apiserver/test/integration/validation_test.go TestNonStructuralSchemaCondition';
const METADATA_INVARIANTS =
  'staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/schema/validation_test.go TestValidateStructuralMetadataInvariants';
const DEFAULTING =
  'staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting/validation_test.go TestDefaultValidationWithCostBudget';

interface ConformanceCase {
  source: string;
  desc: string;
  schema: string;
  /** Violations upstream expects (each must be reported); none means the CRD is accepted. */
  violations: string[];
  /** Prefixes of violations whose tail is Go-specific (regexp error text). */
  violationPrefixes?: string[];
  /** Paths upstream asserts are not reported. */
  unexpected?: string[];
}

const cases: ConformanceCase[] = [
  {
    source: INTEGRATION,
    desc: 'preserve unknown fields is false',
    schema: 'type: object',
    violations: [],
  },
  {
    source: INTEGRATION,
    desc: 'int-or-string and preserve-unknown-fields true',
    schema: 'x-kubernetes-preserve-unknown-fields: true\nx-kubernetes-int-or-string: true',
    violations: [
      'spec.validation.openAPIV3Schema.x-kubernetes-preserve-unknown-fields: Invalid value: true: must be false if x-kubernetes-int-or-string is true',
    ],
  },
  {
    source: INTEGRATION,
    desc: 'int-or-string and embedded-resource true',
    schema: 'type: object\nx-kubernetes-embedded-resource: true\nx-kubernetes-int-or-string: true',
    violations: [
      'spec.validation.openAPIV3Schema.x-kubernetes-embedded-resource: Invalid value: true: must be false if x-kubernetes-int-or-string is true',
    ],
  },
  {
    source: INTEGRATION,
    desc: 'embedded-resource without preserve-unknown-fields',
    schema: 'type: object\nx-kubernetes-embedded-resource: true',
    violations: [
      'spec.validation.openAPIV3Schema.properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields',
    ],
  },
  {
    source: INTEGRATION,
    desc: 'embedded-resource without preserve-unknown-fields, but properties',
    schema: `
type: object
x-kubernetes-embedded-resource: true
properties:
 apiVersion:
   type: string
 kind:
   type: string
 metadata:
   type: object
`,
    violations: [],
  },
  {
    source: INTEGRATION,
    desc: 'embedded-resource with preserve-unknown-fields',
    schema: 'type: object\nx-kubernetes-embedded-resource: true\nx-kubernetes-preserve-unknown-fields: true',
    violations: [],
  },
  {
    source: INTEGRATION,
    desc: 'embedded-resource with wrong type',
    schema: 'type: array\nx-kubernetes-embedded-resource: true\nx-kubernetes-preserve-unknown-fields: true',
    violations: [
      'spec.validation.openAPIV3Schema.type: Invalid value: "array": must be object if x-kubernetes-embedded-resource is true',
    ],
  },
  {
    source: INTEGRATION,
    desc: 'embedded-resource with empty type',
    schema: 'type: ""\nx-kubernetes-embedded-resource: true\nx-kubernetes-preserve-unknown-fields: true',
    violations: [
      'spec.validation.openAPIV3Schema.type: Required value: must be object if x-kubernetes-embedded-resource is true',
    ],
  },
  {
    source: INTEGRATION,
    desc: 'no top-level type',
    schema: 'type: ""',
    violations: [
      'spec.versions[0].schema.openAPIV3Schema.type: Required value: must not be empty at the root',
    ],
  },
  {
    source: INTEGRATION,
    desc: 'non-object top-level type',
    schema: 'type: "integer"',
    violations: [
      'spec.versions[0].schema.openAPIV3Schema.type: Invalid value: "integer": must be object at the root',
    ],
  },
  {
    source: INTEGRATION,
    desc: 'forbidden in nested value validation',
    schema: `
type: object
properties:
 foo:
   type: string
not:
 type: string
 additionalProperties: true
 title: hello
 description: world
 nullable: true
allOf:
- properties:
   foo:
     type: string
     additionalProperties: true
     title: hello
     description: world
     nullable: true
anyOf:
- items:
   type: string
   additionalProperties: true
   title: hello
   description: world
   nullable: true
oneOf:
- properties:
   foo:
     type: string
     additionalProperties: true
     title: hello
     description: world
     nullable: true
`,
    violations: [
      'spec.versions[0].schema.openAPIV3Schema.anyOf[0].items.type: Forbidden: must be empty to be structural',
      'spec.versions[0].schema.openAPIV3Schema.anyOf[0].items.additionalProperties: Forbidden: must be undefined to be structural',
      'spec.versions[0].schema.openAPIV3Schema.anyOf[0].items.title: Forbidden: must be empty to be structural',
      'spec.versions[0].schema.openAPIV3Schema.anyOf[0].items.description: Forbidden: must be empty to be structural',
      'spec.versions[0].schema.openAPIV3Schema.anyOf[0].items.nullable: Forbidden: must be false to be structural',
      'spec.versions[0].schema.openAPIV3Schema.allOf[0].properties[foo].type: Forbidden: must be empty to be structural',
      'spec.versions[0].schema.openAPIV3Schema.allOf[0].properties[foo].additionalProperties: Forbidden: must be undefined to be structural',
      'spec.versions[0].schema.openAPIV3Schema.allOf[0].properties[foo].title: Forbidden: must be empty to be structural',
      'spec.versions[0].schema.openAPIV3Schema.allOf[0].properties[foo].description: Forbidden: must be empty to be structural',
      'spec.versions[0].schema.openAPIV3Schema.allOf[0].properties[foo].nullable: Forbidden: must be false to be structural',
      'spec.versions[0].schema.openAPIV3Schema.oneOf[0].properties[foo].type: Forbidden: must be empty to be structural',
      'spec.versions[0].schema.openAPIV3Schema.oneOf[0].properties[foo].additionalProperties: Forbidden: must be undefined to be structural',
      'spec.versions[0].schema.openAPIV3Schema.oneOf[0].properties[foo].title: Forbidden: must be empty to be structural',
      'spec.versions[0].schema.openAPIV3Schema.oneOf[0].properties[foo].description: Forbidden: must be empty to be structural',
      'spec.versions[0].schema.openAPIV3Schema.oneOf[0].properties[foo].nullable: Forbidden: must be false to be structural',
      'spec.versions[0].schema.openAPIV3Schema.not.type: Forbidden: must be empty to be structural',
      'spec.versions[0].schema.openAPIV3Schema.not.additionalProperties: Forbidden: must be undefined to be structural',
      'spec.versions[0].schema.openAPIV3Schema.not.title: Forbidden: must be empty to be structural',
      'spec.versions[0].schema.openAPIV3Schema.not.description: Forbidden: must be empty to be structural',
      'spec.versions[0].schema.openAPIV3Schema.not.nullable: Forbidden: must be false to be structural',
      'spec.versions[0].schema.openAPIV3Schema.items: Required value: because it is defined in spec.versions[0].schema.openAPIV3Schema.anyOf[0].items',
    ],
    unexpected: ['spec.versions[0].schema.openAPIV3Schema.not.default'],
  },
  {
    source: INTEGRATION,
    desc: 'invalid regex pattern',
    schema: 'type: object\nproperties:\n foo:\n   type: string\n   pattern: "+"',
    violations: [],
    violationPrefixes: [
      'spec.versions[0].schema.openAPIV3Schema.properties[foo].pattern: Invalid value: "+": must be a valid regular expression, but isn\'t: ',
    ],
  },
  {
    source: INTEGRATION,
    desc: 'forbidden vendor extensions in nested value validation',
    schema: `
type: object
properties:
 int-or-string:
   x-kubernetes-int-or-string: true
 embedded-resource:
   type: object
   x-kubernetes-embedded-resource: true
   x-kubernetes-preserve-unknown-fields: true
not:
 properties:
   int-or-string:
     x-kubernetes-int-or-string: true
   embedded-resource:
     x-kubernetes-embedded-resource: true
     x-kubernetes-preserve-unknown-fields: true
allOf:
- properties:
   int-or-string:
     x-kubernetes-int-or-string: true
   embedded-resource:
     x-kubernetes-embedded-resource: true
     x-kubernetes-preserve-unknown-fields: true
anyOf:
- properties:
   int-or-string:
     x-kubernetes-int-or-string: true
   embedded-resource:
     x-kubernetes-embedded-resource: true
     x-kubernetes-preserve-unknown-fields: true
oneOf:
- properties:
   int-or-string:
     x-kubernetes-int-or-string: true
   embedded-resource:
     x-kubernetes-embedded-resource: true
     x-kubernetes-preserve-unknown-fields: true
`,
    violations: [
      'spec.validation.openAPIV3Schema.allOf[0].properties[embedded-resource].x-kubernetes-preserve-unknown-fields: Forbidden: must be false to be structural',
      'spec.validation.openAPIV3Schema.allOf[0].properties[embedded-resource].x-kubernetes-embedded-resource: Forbidden: must be false to be structural',
      'spec.validation.openAPIV3Schema.allOf[0].properties[int-or-string].x-kubernetes-int-or-string: Forbidden: must be false to be structural',
      'spec.validation.openAPIV3Schema.anyOf[0].properties[embedded-resource].x-kubernetes-preserve-unknown-fields: Forbidden: must be false to be structural',
      'spec.validation.openAPIV3Schema.anyOf[0].properties[embedded-resource].x-kubernetes-embedded-resource: Forbidden: must be false to be structural',
      'spec.validation.openAPIV3Schema.anyOf[0].properties[int-or-string].x-kubernetes-int-or-string: Forbidden: must be false to be structural',
      'spec.validation.openAPIV3Schema.oneOf[0].properties[embedded-resource].x-kubernetes-preserve-unknown-fields: Forbidden: must be false to be structural',
      'spec.validation.openAPIV3Schema.oneOf[0].properties[embedded-resource].x-kubernetes-embedded-resource: Forbidden: must be false to be structural',
      'spec.validation.openAPIV3Schema.oneOf[0].properties[int-or-string].x-kubernetes-int-or-string: Forbidden: must be false to be structural',
      'spec.validation.openAPIV3Schema.not.properties[embedded-resource].x-kubernetes-preserve-unknown-fields: Forbidden: must be false to be structural',
      'spec.validation.openAPIV3Schema.not.properties[embedded-resource].x-kubernetes-embedded-resource: Forbidden: must be false to be structural',
      'spec.validation.openAPIV3Schema.not.properties[int-or-string].x-kubernetes-int-or-string: Forbidden: must be false to be structural',
    ],
  },
  {
    source: INTEGRATION,
    desc: 'missing types with extensions',
    schema: `
properties:
 foo:
   properties:
     a: {}
 bar:
   items:
     additionalProperties:
       properties:
         a: {}
       items: {}
 abc:
   additionalProperties:
     properties:
       a:
         items:
           additionalProperties:
             items:
 json:
   x-kubernetes-preserve-unknown-fields: true
   properties:
     a: {}
 int-or-string:
   x-kubernetes-int-or-string: true
   properties:
     a: {}
`,
    violations: [
      'spec.validation.openAPIV3Schema.properties[foo].properties[a].type: Required value: must not be empty for specified object fields',
      'spec.validation.openAPIV3Schema.properties[foo].type: Required value: must not be empty for specified object fields',
      'spec.validation.openAPIV3Schema.properties[int-or-string].properties[a].type: Required value: must not be empty for specified object fields',
      'spec.validation.openAPIV3Schema.properties[json].properties[a].type: Required value: must not be empty for specified object fields',
      'spec.validation.openAPIV3Schema.properties[abc].additionalProperties.properties[a].items.additionalProperties.type: Required value: must not be empty for specified object fields',
      'spec.validation.openAPIV3Schema.properties[abc].additionalProperties.properties[a].items.type: Required value: must not be empty for specified array items',
      'spec.validation.openAPIV3Schema.properties[abc].additionalProperties.properties[a].type: Required value: must not be empty for specified object fields',
      'spec.validation.openAPIV3Schema.properties[abc].additionalProperties.type: Required value: must not be empty for specified object fields',
      'spec.validation.openAPIV3Schema.properties[abc].type: Required value: must not be empty for specified object fields',
      'spec.validation.openAPIV3Schema.properties[bar].items.additionalProperties.items.type: Required value: must not be empty for specified array items',
      'spec.validation.openAPIV3Schema.properties[bar].items.additionalProperties.properties[a].type: Required value: must not be empty for specified object fields',
      'spec.validation.openAPIV3Schema.properties[bar].items.additionalProperties.type: Required value: must not be empty for specified object fields',
      'spec.validation.openAPIV3Schema.properties[bar].items.type: Required value: must not be empty for specified array items',
      'spec.validation.openAPIV3Schema.properties[bar].type: Required value: must not be empty for specified object fields',
      'spec.validation.openAPIV3Schema.type: Required value: must not be empty at the root',
    ],
  },
  {
    source: INTEGRATION,
    desc: 'missing types without extensions',
    schema: `
properties:
 foo:
   properties:
     a: {}
 bar:
   items:
     additionalProperties:
       properties:
         a: {}
       items: {}
 abc:
   additionalProperties:
     properties:
       a:
         items:
           additionalProperties:
             items:
`,
    violations: [
      'spec.versions[0].schema.openAPIV3Schema.properties[foo].properties[a].type: Required value: must not be empty for specified object fields',
      'spec.versions[0].schema.openAPIV3Schema.properties[foo].type: Required value: must not be empty for specified object fields',
      'spec.versions[0].schema.openAPIV3Schema.properties[abc].additionalProperties.properties[a].items.additionalProperties.type: Required value: must not be empty for specified object fields',
      'spec.versions[0].schema.openAPIV3Schema.properties[abc].additionalProperties.properties[a].items.type: Required value: must not be empty for specified array items',
      'spec.versions[0].schema.openAPIV3Schema.properties[abc].additionalProperties.properties[a].type: Required value: must not be empty for specified object fields',
      'spec.versions[0].schema.openAPIV3Schema.properties[abc].additionalProperties.type: Required value: must not be empty for specified object fields',
      'spec.versions[0].schema.openAPIV3Schema.properties[abc].type: Required value: must not be empty for specified object fields',
      'spec.versions[0].schema.openAPIV3Schema.properties[bar].items.additionalProperties.items.type: Required value: must not be empty for specified array items',
      'spec.versions[0].schema.openAPIV3Schema.properties[bar].items.additionalProperties.properties[a].type: Required value: must not be empty for specified object fields',
      'spec.versions[0].schema.openAPIV3Schema.properties[bar].items.additionalProperties.type: Required value: must not be empty for specified object fields',
      'spec.versions[0].schema.openAPIV3Schema.properties[bar].items.type: Required value: must not be empty for specified array items',
      'spec.versions[0].schema.openAPIV3Schema.properties[bar].type: Required value: must not be empty for specified object fields',
      'spec.versions[0].schema.openAPIV3Schema.type: Required value: must not be empty at the root',
    ],
  },
  {
    source: INTEGRATION,
    desc: 'int-or-string variants',
    schema: `
type: object
properties:
 a:
   x-kubernetes-int-or-string: true
 b:
   x-kubernetes-int-or-string: true
   anyOf:
   - type: integer
   - type: string
   allOf:
   - pattern: abc
 c:
   x-kubernetes-int-or-string: true
   allOf:
   - anyOf:
     - type: integer
     - type: string
   - pattern: abc
   - pattern: abc
 d:
   x-kubernetes-int-or-string: true
   anyOf:
   - type: integer
   - type: string
     pattern: abc
 e:
   x-kubernetes-int-or-string: true
   allOf:
   - anyOf:
     - type: integer
     - type: string
       pattern: abc
   - pattern: abc
 f:
   x-kubernetes-int-or-string: true
   anyOf:
   - type: integer
   - type: string
   - pattern: abc
 g:
   x-kubernetes-int-or-string: true
   anyOf:
   - type: string
   - type: integer
`,
    violations: [
      'spec.validation.openAPIV3Schema.properties[d].anyOf[0].type: Forbidden: must be empty to be structural',
      'spec.validation.openAPIV3Schema.properties[d].anyOf[1].type: Forbidden: must be empty to be structural',
      'spec.validation.openAPIV3Schema.properties[e].allOf[0].anyOf[0].type: Forbidden: must be empty to be structural',
      'spec.validation.openAPIV3Schema.properties[e].allOf[0].anyOf[1].type: Forbidden: must be empty to be structural',
      'spec.validation.openAPIV3Schema.properties[f].anyOf[0].type: Forbidden: must be empty to be structural',
      'spec.validation.openAPIV3Schema.properties[f].anyOf[1].type: Forbidden: must be empty to be structural',
      'spec.validation.openAPIV3Schema.properties[g].anyOf[0].type: Forbidden: must be empty to be structural',
      'spec.validation.openAPIV3Schema.properties[g].anyOf[1].type: Forbidden: must be empty to be structural',
    ],
    unexpected: [
      'spec.validation.openAPIV3Schema.properties[a]',
      'spec.validation.openAPIV3Schema.properties[b]',
      'spec.validation.openAPIV3Schema.properties[c]',
    ],
  },
  {
    source: INTEGRATION,
    desc: 'forbidden additionalProperties at the root',
    schema: 'type: object\nadditionalProperties: false',
    violations: [
      'spec.versions[0].schema.openAPIV3Schema.additionalProperties: Forbidden: must not be used at the root',
    ],
  },
  {
    source: INTEGRATION,
    desc: 'structural incomplete',
    schema: `
type: object
properties:
 b:
   type: object
   properties:
     b:
       type: array
 c:
   type: array
   items:
     type: object
 d:
   type: array
not:
 properties:
   a: {}
   b:
     not:
       properties:
         a: {}
         b:
           items: {}
   c:
     items:
       not:
         items:
           properties:
             a: {}
   d:
     items: {}
allOf:
- properties:
   e: {}
anyOf:
- properties:
   f: {}
oneOf:
- properties:
   g: {}
`,
    violations: [
      'spec.versions[0].schema.openAPIV3Schema.properties[d].items: Required value: because it is defined in spec.versions[0].schema.openAPIV3Schema.not.properties[d].items',
      'spec.versions[0].schema.openAPIV3Schema.properties[a]: Required value: because it is defined in spec.versions[0].schema.openAPIV3Schema.not.properties[a]',
      'spec.versions[0].schema.openAPIV3Schema.properties[b].properties[a]: Required value: because it is defined in spec.versions[0].schema.openAPIV3Schema.not.properties[b].not.properties[a]',
      'spec.versions[0].schema.openAPIV3Schema.properties[b].properties[b].items: Required value: because it is defined in spec.versions[0].schema.openAPIV3Schema.not.properties[b].not.properties[b].items',
      'spec.versions[0].schema.openAPIV3Schema.properties[c].items.items: Required value: because it is defined in spec.versions[0].schema.openAPIV3Schema.not.properties[c].items.not.items',
      'spec.versions[0].schema.openAPIV3Schema.properties[e]: Required value: because it is defined in spec.versions[0].schema.openAPIV3Schema.allOf[0].properties[e]',
      'spec.versions[0].schema.openAPIV3Schema.properties[f]: Required value: because it is defined in spec.versions[0].schema.openAPIV3Schema.anyOf[0].properties[f]',
      'spec.versions[0].schema.openAPIV3Schema.properties[g]: Required value: because it is defined in spec.versions[0].schema.openAPIV3Schema.oneOf[0].properties[g]',
    ],
  },
  {
    source: INTEGRATION,
    desc: 'structural complete',
    schema: `
type: object
properties:
 a:
   type: string
 b:
   type: object
   properties:
     a:
       type: string
     b:
       type: array
       items:
         type: string
 c:
   type: array
   items:
     type: array
     items:
       type: object
       properties:
         a:
           type: string
 d:
   type: array
   items:
     type: string
 e:
   type: string
 f:
   type: string
 g:
   type: string
not:
 properties:
   a: {}
   b:
     not:
       properties:
         a: {}
         b:
           items: {}
   c:
     items:
       not:
         items:
           properties:
             a: {}
   d:
     items: {}
allOf:
- properties:
   e: {}
anyOf:
- properties:
   f: {}
oneOf:
- properties:
   g: {}
`,
    violations: [],
  },
  {
    source: INTEGRATION,
    desc: 'metadata with non-properties',
    schema: 'type: object\nproperties:\n metadata:\n   minimum: 42.0',
    violations: [
      'spec.versions[0].schema.openAPIV3Schema.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified',
      'spec.versions[0].schema.openAPIV3Schema.properties[metadata].type: Required value: must not be empty for specified object fields',
    ],
  },
  {
    source: INTEGRATION,
    desc: 'metadata with other properties',
    schema: `
type: object
properties:
 metadata:
   properties:
     name:
       pattern: "^[a-z]+$"
     labels:
       type: object
       maxLength: 4
`,
    violations: [
      'spec.versions[0].schema.openAPIV3Schema.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified',
      'spec.versions[0].schema.openAPIV3Schema.properties[metadata].type: Required value: must not be empty for specified object fields',
      'spec.versions[0].schema.openAPIV3Schema.properties[metadata].properties[name].type: Required value: must not be empty for specified object fields',
    ],
  },
  {
    source: INTEGRATION,
    desc: 'metadata with name property',
    schema:
      'type: object\nproperties:\n metadata:\n   type: object\n   properties:\n     name:\n       type: string\n       pattern: "^[a-z]+$"',
    violations: [],
  },
  {
    source: INTEGRATION,
    desc: 'metadata with generateName property',
    schema:
      'type: object\nproperties:\n metadata:\n   type: object\n   properties:\n     generateName:\n       type: string\n       pattern: "^[a-z]+$"',
    violations: [],
  },
  {
    source: INTEGRATION,
    desc: 'metadata with name and generateName property',
    schema: `
type: object
properties:
 metadata:
   type: object
   properties:
     name:
       type: string
       pattern: "^[a-z]+$"
     generateName:
       type: string
       pattern: "^[a-z]+$"
`,
    violations: [],
  },
  {
    source: INTEGRATION,
    desc: 'metadata under junctors',
    schema: `
type: object
properties:
 metadata:
   type: object
   properties:
     name:
       type: string
       pattern: "^[a-z]+$"
allOf:
- properties:
   metadata: {}
anyOf:
- properties:
   metadata: {}
oneOf:
- properties:
   metadata: {}
not:
 properties:
   metadata: {}
`,
    violations: [
      'spec.versions[0].schema.openAPIV3Schema.anyOf[0].properties[metadata]: Forbidden: must not be specified in a nested context',
      'spec.versions[0].schema.openAPIV3Schema.allOf[0].properties[metadata]: Forbidden: must not be specified in a nested context',
      'spec.versions[0].schema.openAPIV3Schema.oneOf[0].properties[metadata]: Forbidden: must not be specified in a nested context',
      'spec.versions[0].schema.openAPIV3Schema.not.properties[metadata]: Forbidden: must not be specified in a nested context',
    ],
  },
  {
    source: INTEGRATION,
    desc: 'missing items for array',
    schema: 'type: object\nproperties:\n slice:\n   type: array',
    violations: [
      'spec.versions[0].schema.openAPIV3Schema.properties[slice].items: Required value: must be specified',
    ],
  },
  {
    source: INTEGRATION,
    desc: 'items slice',
    schema:
      'type: object\nproperties:\n slice:\n   type: array\n   items:\n   - type: string\n   - type: integer',
    violations: [
      'spec.validation.openAPIV3Schema.properties[slice].items: Forbidden: items must be a schema object and not an array',
    ],
  },
  {
    source: INTEGRATION,
    desc: 'items slice in value validation',
    schema:
      'type: object\nproperties:\n slice:\n   type: array\n   items:\n     type: string\n   not:\n     items:\n     - type: string',
    violations: [
      'spec.validation.openAPIV3Schema.properties[slice].not.items: Forbidden: items must be a schema object and not an array',
    ],
  },
  // validateStructuralMetadataInvariants: "check that type must be object" (loop over type names).
  ...['array', 'number', 'integer', 'boolean', 'string'].map((type): ConformanceCase => ({
    source: METADATA_INVARIANTS,
    desc: `metadata of type ${type}`,
    schema: `type: object\nproperties:\n metadata:\n   type: ${type}`,
    violations: [
      `spec.validation.openAPIV3Schema.properties[metadata].type: Invalid value: "${type}": must be object`,
    ],
  })),
  // "check that anything other than name and generateName of ObjectMeta in metadata properties is forbidden"
  ...['namespace', 'labels', 'annotations', 'finalizers'].map((property): ConformanceCase => ({
    source: METADATA_INVARIANTS,
    desc: `metadata restricting ${property}`,
    schema: `type: object\nproperties:\n metadata:\n   type: object\n   properties:\n     ${property}:\n       type: string`,
    violations: [
      'spec.validation.openAPIV3Schema.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified',
    ],
  })),
  // "check that anything other than type and properties in metadata is forbidden": a description is
  // exactly what operator/crds carried before issue 14.
  ...['description: "Standard object\'s metadata."', 'title: meta', 'nullable: true', 'minProperties: 1'].map(
    (keyword): ConformanceCase => ({
      source: METADATA_INVARIANTS,
      desc: `metadata with ${keyword.split(':')[0]}`,
      schema: `type: object\nproperties:\n metadata:\n   type: object\n   ${keyword}`,
      violations: [
        'spec.validation.openAPIV3Schema.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified',
      ],
    }),
  ),
  {
    source: DEFAULTING,
    desc: 'default cel validation (defaults that satisfy their rules)',
    schema: `
type: object
properties:
  embedded:
    type: object
    properties:
      metadata:
        type: object
        x-kubernetes-embedded-resource: true
        properties:
          name:
            type: string
            x-kubernetes-validations:
            - rule: "self == 'singleton'"
            default: singleton
  value:
    type: string
    x-kubernetes-validations:
    - rule: "self.startsWith('kube')"
    default: kube-everything
  object:
    type: object
    properties:
      field1:
        type: integer
      field2:
        type: integer
    x-kubernetes-validations:
    - rule: "self.field1 < self.field2"
    default: {"field1": 1, "field2": 2}
`,
    violations: [],
  },
];

function crdWith(schema: unknown): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'foos.tests.example.com' },
    spec: {
      group: 'tests.example.com',
      names: { plural: 'foos', singular: 'foo', kind: 'Foo', listKind: 'FooList' },
      scope: 'Namespaced',
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: schema } }],
    },
  };
}

const asV1 = (violation: string) =>
  violation.replaceAll('spec.versions[0].schema.openAPIV3Schema', 'spec.validation.openAPIV3Schema');

describe(validateCustomResourceDefinition.name, () => {
  it('should carry at least thirty upstream conformance cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases.map((c) => [`${c.desc} (${c.source.split(' ').pop()})`, c] as const))(
    'should match upstream on %s',
    (_name, c) => {
      const reported = describeCauses(validateCustomResourceDefinition(crdWith(parse(c.schema))));
      for (const violation of c.violations) expect(reported).toContain(asV1(violation));
      for (const prefix of c.violationPrefixes ?? []) {
        expect(
          reported.some((line) => line.startsWith(asV1(prefix))),
          reported.join('\n'),
        ).toBe(true);
      }
      for (const path of c.unexpected ?? []) {
        expect(reported.filter((line) => line.startsWith(asV1(path)))).toEqual([]);
      }
      if (c.violations.length === 0 && !c.violationPrefixes) expect(reported).toEqual([]);
    },
  );
});
