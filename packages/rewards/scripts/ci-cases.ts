// Agreement of content integrity with a labelled case file, disagreements listed:
// `pnpm --filter @diffchat/rewards exec tsx scripts/ci-cases.ts fixtures/open-vocabulary-tuning.json [--form F]`
//   --markdown   print the disagreements as the README's table
//   --readme     rewrite the README's two tables (between <!-- disagreements:tuning --> / :held-out markers) from
//                fixtures/open-vocabulary-{tuning,held-out}.json
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type CaseDisagreement, caseAgreement, readContentIntegrityCases } from '../src/content-integrity-cases';
import { extractKeyInfo } from '../src/key-info';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    form: { type: 'string' },
    quiet: { type: 'boolean', default: false },
    markdown: { type: 'boolean', default: false },
    readme: { type: 'boolean', default: false },
  },
});

function markdownTable(disagreements: readonly CaseDisagreement[]): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const rows = disagreements.map((miss) => {
    const why =
      miss.label === 1
        ? `missing ${miss.missing.join(', ') || '-'}; forbidden ${miss.forbidden.join(', ') || '-'}`
        : `${miss.failure} not seen`;
    return `| ${miss.id} | ${miss.form} | ${cell(`${miss.instruction}: ${miss.target}`)} | ${miss.label} | ${miss.reward} | ${cell(why)} |`;
  });
  return ['| id | form | target | label | reward | why |', '| --- | --- | --- | --- | --- | --- |', ...rows].join('\n');
}

if (values.readme) {
  let readme = readFileSync('README.md', 'utf8');
  for (const part of ['tuning', 'held-out']) {
    const result = caseAgreement(readContentIntegrityCases(`fixtures/open-vocabulary-${part}.json`));
    const start = `<!-- disagreements:${part} -->`;
    const end = '<!-- /disagreements -->';
    const from = readme.indexOf(start);
    const to = readme.indexOf(end, from);
    if (from < 0 || to < 0) throw new Error(`README.md has no ${start} ... ${end} section`);
    readme = `${readme.slice(0, from + start.length)}\n${markdownTable(result.disagreements)}\n${readme.slice(to)}`;
    console.log(`${part}: agreement ${result.agreement.toFixed(4)}, ${result.disagreements.length} disagreements`);
  }
  writeFileSync('README.md', readme);
}
for (const file of positionals) {
  const cases = readContentIntegrityCases(file).filter(
    (item) => values.form === undefined || item.form === values.form,
  );
  const result = caseAgreement(cases);
  if (values.markdown) {
    console.log(markdownTable(result.disagreements));
  } else if (!values.quiet) {
    for (const miss of result.disagreements) {
      const info = extractKeyInfo({ source: miss.source, instruction: miss.instruction });
      console.log(
        `${miss.id} [${miss.form}] label ${miss.label}${miss.failure ? ` (${miss.failure})` : ''}\n` +
          `  source: ${miss.source}\n  instruction: ${miss.instruction}\n  target: ${miss.target}\n` +
          `  required: ${info.required.join(' | ')}\n  forbidden: ${info.forbidden.join(' | ')}\n` +
          `  missing: ${miss.missing.join(' | ')}  present forbidden: ${miss.forbidden.join(' | ')}`,
      );
    }
  }
  const forms = new Map<string, number>();
  for (const miss of result.disagreements) forms.set(miss.form, (forms.get(miss.form) ?? 0) + 1);
  console.log(`${file}: ${result.targets} targets, agreement ${result.agreement.toFixed(4)}`);
  console.log(`  disagreements by form: ${[...forms].map(([form, count]) => `${form} ${count}`).join(', ')}`);
}
