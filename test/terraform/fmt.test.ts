import { REPO_ROOT } from './hcl';
import { terraform } from './terraform-cli';

describe('terraform fmt', () => {
  it('finds every .tf file under terraform/ already formatted', async () => {
    const result = await terraform(
      ['fmt', '-check', '-recursive', '-diff', 'terraform/'],
      REPO_ROOT,
    );
    expect({ code: result.code, unformatted: result.stdout }).toEqual({ code: 0, unformatted: '' });
  });
});
