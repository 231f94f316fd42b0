import { Button, Result } from 'antd';
import { Link } from 'react-router-dom';

export function NotFoundPage() {
  return (
    <Result
      status="404"
      title="Page not found"
      subTitle="The page you are looking for does not exist."
      extra={
        <Link to="/tasks">
          <Button type="primary">Go to tasks</Button>
        </Link>
      }
      data-testid="page-not-found"
    />
  );
}
