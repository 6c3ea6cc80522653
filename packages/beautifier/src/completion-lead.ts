import type { PromptTemplate } from '@diffchat/sft';

/**
 * The text a template's completion puts before `{beautiful}` (BeautifulPrompt's: one space), with `{{` and `}}`
 * read as literal braces. Undefined when the completion is not literal text followed by `{beautiful}`: it has no
 * `{beautiful}`, or another field comes first.
 */
export function completionLead(template: Pick<PromptTemplate, 'completion'>): string | undefined {
  let lead = '';
  // The syntax of @diffchat/sft's templates: `{{` and `}}` are braces, `{name}` a field.
  for (const match of template.completion.matchAll(/\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}|[^{}]+|[{}]/g)) {
    if (match[1] === 'beautiful') return lead;
    if (match[1] !== undefined || match[0] === '{' || match[0] === '}') return undefined;
    lead += match[0] === '{{' ? '{' : match[0] === '}}' ? '}' : match[0];
  }
  return undefined;
}
