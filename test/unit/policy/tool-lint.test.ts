import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { blockingFindings, lintServerTools, type LintFinding } from '../../../main/policy/tool-lint.ts';
import { TOOL_LINT_RULES, TOOL_LINT_RULE_IDS } from '../../../main/policy/tool-lint-rules.ts';

const GOOD: Tool = {
  name: 'read_file',
  description: 'Reads a UTF-8 text file under the workspace and returns its contents.',
  inputSchema: {
    type: 'object',
    properties: { path: { type: 'string', description: 'Absolute path of the file.' } },
    required: ['path'],
  },
  annotations: { readOnlyHint: true },
};

const lintOne = (tool: Tool, server = 'fs'): LintFinding[] => [...lintServerTools(server, '__', [tool])[0]!.findings];
const rules = (findings: readonly LintFinding[]): string[] => findings.map((f) => f.rule);

test('a well described, typed and annotated tool has no findings', () => {
  assert.deepEqual(lintOne(GOOD), []);
});

test('a missing or blank description is an error naming the tool as clients see it', () => {
  for (const description of [undefined, '   ']) {
    const { description: _gone, ...bare } = GOOD;
    const findings = lintOne(description === undefined ? bare : { ...bare, description });
    assert.deepEqual(rules(findings), ['description-missing']);
    assert.equal(findings[0]!.severity, 'error');
    assert.equal(findings[0]!.path, 'description');
    assert.match(findings[0]!.message, /^fs__read_file: has no description/);
  }
});

test('a very short description is a warning; 20 characters pass', () => {
  assert.deepEqual(rules(lintOne({ ...GOOD, description: 'Reads.' })), ['description-short']);
  assert.deepEqual(lintOne({ ...GOOD, description: 'x'.repeat(20) }), []);
});

test('parameters without a description or a type are named by JSON path', () => {
  const findings = lintOne({
    ...GOOD,
    inputSchema: {
      type: 'object',
      properties: {
        path: { type: 'string', description: 'ok' },
        mode: {},
        'odd name': { enum: ['a', 'b'] },
        nested: { anyOf: [{ type: 'string' }], description: 'typed by anyOf' },
      },
    },
  });
  assert.deepEqual(
    findings.map((f) => [f.rule, f.path]),
    [
      ['param-description-missing', 'inputSchema.properties.mode'],
      ['param-type-missing', 'inputSchema.properties.mode'],
      ['param-description-missing', 'inputSchema.properties["odd name"]'],
    ],
  );
  assert.match(findings[1]!.message, /^fs__read_file: inputSchema\.properties\.mode has no type$/);
});

test('a required parameter the properties do not describe is an error at its index', () => {
  const findings = lintOne({ ...GOOD, inputSchema: { ...GOOD.inputSchema, required: ['path', 'mode'] } });
  assert.deepEqual(
    findings.map((f) => [f.rule, f.severity, f.path]),
    [['required-undeclared', 'error', 'inputSchema.required[1]']],
  );
});

test('a tool without any hint annotation gets a note', () => {
  for (const annotations of [undefined, {}, { title: 'Read' }]) {
    const { annotations: _gone, ...bare } = GOOD;
    const findings = lintOne(annotations === undefined ? bare : { ...bare, annotations });
    assert.deepEqual(rules(findings), ['annotations-missing']);
    assert.equal(findings[0]!.severity, 'info');
  }
});

test('a name that breaks MCP name rules once namespaced is flagged with the name clients see', () => {
  const [spaced, long] = lintServerTools('fs', '__', [
    { ...GOOD, name: 'read file' },
    { ...GOOD, name: 'x'.repeat(125) },
  ]);
  assert.deepEqual(rules(spaced!.findings), ['name-rewritten']);
  assert.match(
    spaced!.findings[0]!.message,
    /^fs__read file: has characters outside .* clients see it as fs__read_file-[0-9a-f]{8}$/,
  );
  assert.equal(spaced!.exposed, spaced!.findings[0]!.message.split(' as ')[1]);
  assert.deepEqual(rules(long!.findings), ['name-rewritten']);
  assert.match(long!.findings[0]!.message, /is 129 characters, more than MCP's 128/);
});

test('names that differ only in case after namespacing collide, each naming the other', () => {
  const linted = lintServerTools('fs', '__', [GOOD, { ...GOOD, name: 'Read_File' }, { ...GOOD, name: 'write' }]);
  assert.deepEqual(
    linted.map((l) => rules(l.findings)),
    [['name-collision'], ['name-collision'], []],
  );
  assert.match(linted[0]!.findings[0]!.message, /^fs__read_file: differs only in letter case from fs__Read_File/);
  assert.match(linted[1]!.findings[0]!.message, /from fs__read_file;/);
});

test('further checks (such as a description scan) add their findings to the same report', () => {
  const flag = (tool: Tool, exposed: string): LintFinding[] => [
    { rule: 'scan-marker', severity: 'error', path: 'description', message: `${exposed}: flagged (${tool.name})` },
  ];
  const [linted] = lintServerTools('fs', '__', [GOOD], [flag]);
  assert.deepEqual(linted!.findings, [
    { rule: 'scan-marker', severity: 'error', path: 'description', message: 'fs__read_file: flagged (read_file)' },
  ]);
});

test('a definition of the wrong shape is linted without throwing', () => {
  const odd = { name: 'odd', inputSchema: { type: 'object', properties: 'nope', required: 'x' } } as unknown as Tool;
  assert.deepEqual(rules(lintOne(odd)), ['description-missing', 'annotations-missing']);
});

test('a quality bar blocks the findings of its rules and those at its severity or worse', () => {
  const findings = lintOne({ ...GOOD, description: 'Reads.', annotations: {} });
  assert.deepEqual(rules(findings), ['description-short', 'annotations-missing']);
  assert.deepEqual(rules(blockingFindings(findings, { block: ['annotations-missing'] })), ['annotations-missing']);
  assert.deepEqual(rules(blockingFindings(findings, { block: [], blockSeverity: 'warning' })), ['description-short']);
  assert.deepEqual(rules(blockingFindings(findings, { block: [], blockSeverity: 'error' })), []);
  assert.equal(blockingFindings(findings, { block: [], blockSeverity: 'info' }).length, 2);
});

test('every rule has an id, a severity and a summary', () => {
  assert.ok(TOOL_LINT_RULE_IDS.length >= 8);
  for (const id of TOOL_LINT_RULE_IDS) {
    assert.match(id, /^[a-z]+(-[a-z]+)*$/);
    assert.ok(['error', 'warning', 'info'].includes(TOOL_LINT_RULES[id].severity), id);
    assert.ok(TOOL_LINT_RULES[id].summary.length > 10, id);
  }
});
